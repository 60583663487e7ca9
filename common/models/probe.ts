import type { CertificateSummary, ProbeReport, ProbeStep, ProbeStepName } from '../api/models.js';
import type { ErrorCode } from '../errors/catalogue.js';

/**
 * The probe's own result models. They extend the UI contract's `ProbeReport` / `ProbeStep`
 * (common/api/models.ts) so the service hands them straight to the UI, and add what the CLI and
 * the "will this CA fix it" check need.
 */

export const PROBE_STEP_NAMES: readonly ProbeStepName[] = [
  'url',
  'dns',
  'address',
  'tcp',
  'tls',
  'http',
  'version',
];

/** `public`: the platform could reach it; `private`/`loopback`: webhooks need the relay. */
export type ProbeAddressClass = 'public' | 'private' | 'loopback';

export interface ProbeStepResult extends ProbeStep {
  /** The failure code, duplicated from `error.code` for `--json` consumers (CLI.md). */
  readonly code?: ErrorCode;
}

/** What the real, verifying handshake concluded. Tagged so the UI can switch on it. */
export type TlsVerification =
  | { readonly kind: 'trusted'; readonly protocol: string | undefined }
  | {
      readonly kind: 'untrusted';
      readonly code: ErrorCode;
      /** OpenSSL / Node reason, e.g. `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`. */
      readonly reason: string;
      /** The issuer whose CA certificate would complete the chain (TLS_UNTRUSTED only). */
      readonly missingIssuer: string | undefined;
    };

export interface ProbeTls {
  readonly trusted: boolean;
  /** As presented by the server, leaf first (from the chain-inspection handshake). */
  readonly chain: readonly CertificateSummary[];
  readonly verification: TlsVerification;
}

export interface ProbeResult extends ProbeReport {
  readonly kind: 'probe-result';
  readonly steps: readonly ProbeStepResult[];
  /** Normalised base URL (context path kept), when the URL step passed. */
  readonly baseUrl: string | undefined;
  readonly addresses: readonly string[];
  readonly addressClass: ProbeAddressClass | undefined;
  /** True when the instance is not publicly reachable, so BDC webhooks need the relay. */
  readonly relayNeeded: boolean | undefined;
  /** Set when the connection went through HTTPS_PROXY/HTTP_PROXY: the proxy origin. */
  readonly proxy: string | undefined;
  readonly tls: ProbeTls | undefined;
  readonly displayName: string | undefined;
  readonly buildNumber: string | undefined;
}

/** The Bitbucket major versions the companion supports. */
export const SUPPORTED_MAJOR_VERSIONS: readonly number[] = [9, 10];
