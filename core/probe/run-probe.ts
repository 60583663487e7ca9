import type { X509Certificate } from 'node:crypto';
import net from 'node:net';
import { request } from 'undici';
import { readBounded } from '../io/bounded-read.js';
import type { ProbeStepName } from '../../common/api/models.js';
import type { ErrorCode } from '../../common/errors/catalogue.js';
import { CompanionError, toErrorShape } from '../../common/errors/companion-error.js';
import type {
  ProbeAddressClass,
  ProbeResult,
  ProbeStepResult,
  ProbeTls,
  TlsVerification,
} from '../../common/models/probe.js';
import {
  systemResolver,
  vetOne,
  type Resolver,
  type VettedAddress,
} from '../net/guarded-lookup.js';
import { instanceEndpoint, parseInstanceUrlSyntax, type InstanceUrl } from '../net/instance-url.js';
import { createDispatcher, USER_AGENT } from '../net/network-factory.js';
import type { ProxyChoice } from '../net/network-options.js';
import { toNetworkError } from '../net/network-error.js';
import { proxyFor, resolveProxySettings } from '../net/proxy-settings.js';
import { openTunnel } from '../net/proxy-tunnel.js';
import {
  certificateDate,
  commonNameOf,
  formatDistinguishedName,
  isSelfSigned,
  summarizeCertificate,
} from '../trust/certificate-summary.js';
import { judgeApplicationProperties } from './bitbucket-version.js';
import { inspectPresentedChain, verifyHandshake, type PresentedChain } from './tls-handshakes.js';

export const PROBE_DEADLINE_MS = 15_000;
export const PROBE_STEP_TIMEOUT_MS = 5_000;
const MAX_BODY_BYTES = 64 * 1024;
const APPLICATION_PROPERTIES = 'rest/api/1.0/application-properties';

export interface ProbeOptions {
  /** CAs trusted in addition to the runtime roots, for this probe only. */
  readonly caPems?: readonly string[];
  readonly allowLoopback?: boolean;
  /** Lets a pasted intermediate anchor the chain (the explicit partial-chain choice). */
  readonly allowPartialChain?: boolean;
  /** An explicit proxy decision (PAC), replacing the proxy variables. */
  readonly proxy?: ProxyChoice;
  /** Proxy variables; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The whole probe never takes longer than this (15 s by default). */
  readonly deadlineMs?: number;
  /** Upper bound per step (and per address tried); the deadline still wins. */
  readonly stepTimeoutMs?: number;
  /** Called once per step as it finishes, for the UI's live checklist. */
  readonly onStep?: (step: ProbeStepResult) => void;
  readonly signal?: AbortSignal;
  readonly resolver?: Resolver;
}

/** Thrown inside a step to end the probe with that step's failure. */
class StepFailure extends Error {
  constructor(readonly error: CompanionError) {
    super(error.message);
  }
}

interface Connection {
  readonly socket: net.Socket;
  readonly address: string | undefined;
}

/**
 * Probes an instance URL step by step: url → dns → address → tcp → tls → http → version.
 *
 * Every step reports ok, its time, and on failure a catalogued code and hint; the probe stops at
 * the first failure, since later steps would only repeat it. Connections go only to the vetted
 * addresses (or through the configured proxy, as real traffic would). The TLS step looks at the
 * presented chain with an inspection-only handshake and decides trust with a separate verifying
 * one; no request is ever sent over an unverified connection, and the probe sends no credential.
 * The probe as a whole is bounded by `deadlineMs`, even when packets are silently dropped.
 */
export async function runProbe(input: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = Date.now();
  const deadline = started + (options.deadlineMs ?? PROBE_DEADLINE_MS);
  const stepCap = options.stepTimeoutMs ?? PROBE_STEP_TIMEOUT_MS;
  const policy = { allowLoopback: options.allowLoopback === true };
  const resolver = options.resolver ?? systemResolver;
  const steps: ProbeStepResult[] = [];
  const openSockets = new Set<net.Socket>();

  let instance: InstanceUrl | undefined;
  let vetted: readonly VettedAddress[] = [];
  let addressClass: ProbeAddressClass | undefined;
  let proxy: string | undefined;
  let tlsReport: ProbeTls | undefined;
  let version: string | undefined;
  let displayName: string | undefined;
  let buildNumber: string | undefined;
  let supported = false;
  let failure: CompanionError | undefined;

  const remaining = (): number => deadline - Date.now();
  const budget = (): number => Math.max(0, Math.min(stepCap, remaining()));

  /** Runs one step against the deadline and the caller's signal. */
  async function step<T>(
    name: ProbeStepName,
    timeoutCode: ErrorCode,
    run: (timeoutMs: number) => Promise<{ value: T; detail: string }>,
  ): Promise<T> {
    const stepStarted = Date.now();
    const timeoutMs = budget();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      if (options.signal?.aborted === true) {
        throw new CompanionError('OPERATION_CANCELLED', 'The probe was cancelled.');
      }
      if (timeoutMs <= 0) {
        throw new CompanionError(
          'PROBE_TIMEOUT',
          `The probe ran out of time before the ${name} step.`,
        );
      }
      const bounded = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new CompanionError(
                timeoutCode,
                `The ${name} step did not finish within ${timeoutMs} ms.`,
              ),
            ),
          timeoutMs,
        );
        onAbort = () =>
          reject(new CompanionError('OPERATION_CANCELLED', 'The probe was cancelled.'));
        options.signal?.addEventListener('abort', onAbort, { once: true });
      });
      const { value, detail } = await Promise.race([run(timeoutMs), bounded]);
      record({ name, ok: true, ms: Date.now() - stepStarted, detail });
      return value;
    } catch (error) {
      const companion =
        error instanceof CompanionError
          ? error
          : toNetworkError(error, instance?.hostname ?? input);
      const shape = companion.toJSON();
      record({ name, ok: false, ms: Date.now() - stepStarted, code: companion.code, error: shape });
      throw new StepFailure(companion);
    } finally {
      clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    }
  }

  function record(result: ProbeStepResult): void {
    steps.push(result);
    try {
      options.onStep?.(result);
    } catch {
      // A UI listener that throws must not change the probe's outcome.
    }
  }

  function track(socket: net.Socket): net.Socket {
    openSockets.add(socket);
    socket.once('close', () => openSockets.delete(socket));
    return socket;
  }

  async function connect(timeoutMs: number): Promise<Connection> {
    const target = instance!;
    if (proxy !== undefined) {
      const socket = await openTunnel({
        proxy,
        host: target.hostname,
        port: target.port,
        timeoutMs,
        ...(options.caPems === undefined ? {} : { caPems: options.caPems }),
      });
      return { socket: track(socket), address: undefined };
    }
    let lastError: unknown;
    const until = Date.now() + timeoutMs;
    for (const candidate of vetted) {
      const left = until - Date.now();
      if (left <= 0) break;
      try {
        return {
          socket: await dial(candidate.address, target.port, left),
          address: candidate.address,
        };
      } catch (error) {
        lastError = error;
      }
    }
    throw (
      lastError ??
      new CompanionError('CONNECT_TIMEOUT', `No address of ${target.hostname} answered in time.`)
    );
  }

  function dial(address: string, port: number, timeoutMs: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = track(net.connect({ host: address, port }));
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new CompanionError(
            'CONNECT_TIMEOUT',
            `${address}:${port} did not accept a TCP connection within ${timeoutMs} ms.`,
            { data: { address, port } },
          ),
        );
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(toNetworkError(error, `${address}:${port}`));
      });
    });
  }

  try {
    instance = await step('url', 'PROBE_TIMEOUT', async () => {
      const parsed = parseInstanceUrlSyntax(input);
      return { value: parsed, detail: parsed.baseUrl };
    });
    const target = instance;

    const resolved = await step('dns', 'DNS_FAILED', async () => {
      if (net.isIP(target.hostname) !== 0) {
        return {
          value: [{ address: target.hostname, family: net.isIP(target.hostname) }],
          detail: 'IP address, no lookup',
        };
      }
      const answers = await resolver(target.hostname);
      if (answers.length === 0) {
        throw new CompanionError('DNS_NOT_FOUND', `${target.hostname} has no addresses.`);
      }
      return { value: answers, detail: answers.map((answer) => answer.address).join(', ') };
    });

    vetted = await step('address', 'PROBE_TIMEOUT', async () => {
      const checked = resolved.map((answer) => vetOne(target.hostname, answer.address, policy));
      addressClass = checked.some((entry) => entry.addressClass === 'loopback')
        ? 'loopback'
        : checked.some((entry) => entry.addressClass === 'private')
          ? 'private'
          : 'public';
      const words =
        addressClass === 'public'
          ? 'public: the platform could reach it'
          : `${addressClass}: webhooks need the relay`;
      return {
        value: checked,
        detail: `${checked.map((entry) => entry.address).join(', ')} (${words})`,
      };
    });

    proxy =
      options.proxy === undefined
        ? proxyFor(new URL(target.origin), resolveProxySettings(options.env ?? process.env))
        : options.proxy.kind === 'proxy'
          ? options.proxy.url
          : undefined;

    const first = await step('tcp', 'CONNECT_TIMEOUT', async (timeoutMs) => {
      const connection = await connect(timeoutMs);
      const where =
        proxy === undefined
          ? `${connection.address}:${target.port}`
          : `${target.hostname}:${target.port} through proxy ${new URL(proxy).host}`;
      return { value: connection, detail: `connected to ${where}` };
    });

    tlsReport = await step('tls', 'CONNECT_TIMEOUT', async (timeoutMs) => {
      const until = Date.now() + timeoutMs;
      const presented = await inspectPresentedChain({
        socket: first.socket,
        hostname: target.hostname,
        timeoutMs,
      });
      const second = await connect(Math.max(1, until - Date.now()));
      const outcome = await verifyHandshake(
        {
          socket: second.socket,
          hostname: target.hostname,
          timeoutMs: Math.max(1, until - Date.now()),
        },
        {
          ...(options.caPems === undefined ? {} : { caPems: options.caPems }),
          ...(options.allowPartialChain === true ? { allowPartialChain: true } : {}),
        },
      );
      const chain = presented.certificates.map(summarizeCertificate);
      if (outcome.kind === 'trusted') {
        const issuer = presented.certificates[0]
          ? commonNameOf(presented.certificates[0].issuer)
          : 'unknown issuer';
        const leafExpiry = presented.certificates[0]
          ? Date.parse(presented.certificates[0].validTo)
          : Number.NaN;
        const daysLeft = Math.floor((leafExpiry - Date.now()) / 86_400_000);
        const expiring =
          Number.isFinite(daysLeft) && daysLeft < 30
            ? `; the server certificate expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`
            : '';
        return {
          value: {
            trusted: true,
            chain,
            verification: { kind: 'trusted', protocol: outcome.protocol ?? presented.protocol },
          },
          detail: `${outcome.protocol ?? 'TLS'}, trusted (issued by ${issuer})${expiring}`,
        };
      }
      const refusal = explainRefusal(outcome.reason, presented, target);
      tlsReport = { trusted: false, chain, verification: refusal.verification };
      throw refusal.error;
    });

    const body = await step('http', 'REQUEST_TIMEOUT', async (timeoutMs) => {
      const pinned = vetted.map((entry) => ({ address: entry.address, family: entry.family }));
      const dispatcher = createDispatcher({
        addressPolicy: 'instance',
        allowLoopback: policy.allowLoopback,
        ...(options.caPems === undefined ? {} : { caPems: options.caPems }),
        ...(options.allowPartialChain === true ? { allowPartialChain: true } : {}),
        connectTimeoutMs: timeoutMs,
        requestTimeoutMs: timeoutMs,
        env: options.env ?? process.env,
        ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
        resolveHost: async () => pinned,
      });
      const url = instanceEndpoint(target, APPLICATION_PROPERTIES);
      try {
        const response = await request(url, {
          dispatcher,
          method: 'GET',
          headers: { accept: 'application/json', 'user-agent': USER_AGENT },
          signal: AbortSignal.timeout(timeoutMs),
        });
        const status = response.statusCode;
        if (status >= 300 && status < 400) {
          await response.body.dump();
          throw redirectError(url, response.headers['location'], target);
        }
        const text = (
          await readBounded(
            response.body,
            MAX_BODY_BYTES,
            () =>
              new CompanionError(
                'NOT_BITBUCKET',
                `The answer is larger than ${MAX_BODY_BYTES} bytes; Bitbucket's is tiny.`,
              ),
          )
        ).toString('utf8');
        if (status === 404) {
          throw new CompanionError(
            'NOT_BITBUCKET',
            `${url} answered 404: no Bitbucket REST API at this address.`,
            {
              hint:
                target.contextPath === ''
                  ? 'If Bitbucket runs under a context path, include it (e.g. https://host/bitbucket).'
                  : `Check the context path "${target.contextPath}".`,
            },
          );
        }
        if (status !== 200) {
          throw new CompanionError(
            'PROBE_HTTP_STATUS',
            `${url} answered HTTP ${status}${status === 503 ? ' (Bitbucket may still be starting)' : ''}.`,
            { data: { status } },
          );
        }
        const type = String(response.headers['content-type'] ?? '');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        return { value: json, detail: `HTTP ${status} ${type.split(';')[0] ?? ''}`.trim() };
      } finally {
        await dispatcher.destroy().catch(() => undefined);
      }
    });

    await step('version', 'PROBE_TIMEOUT', async () => {
      const verdict = judgeApplicationProperties(body);
      if (verdict.kind === 'not-bitbucket') {
        throw new CompanionError(
          'NOT_BITBUCKET',
          `${target.baseUrl} does not look like Bitbucket Data Center: ${verdict.reason}.`,
        );
      }
      version = verdict.properties.version;
      displayName = verdict.properties.displayName;
      buildNumber = verdict.properties.buildNumber;
      if (verdict.kind === 'unsupported') {
        throw new CompanionError(
          'UNSUPPORTED_VERSION',
          `Bitbucket ${verdict.properties.version} is not supported; the companion supports 9.x and 10.x.`,
          { data: { version: verdict.properties.version } },
        );
      }
      supported = true;
      return { value: undefined, detail: `${displayName ?? 'Bitbucket'} ${version}` };
    });
  } catch (error) {
    failure =
      error instanceof StepFailure
        ? error.error
        : new CompanionError('INTERNAL_ERROR', `The probe failed unexpectedly: ${String(error)}`);
  } finally {
    for (const socket of openSockets) socket.destroy();
  }

  return {
    kind: 'probe-result',
    url: input,
    baseUrl: instance?.baseUrl,
    ok: failure === undefined,
    steps,
    version,
    supported,
    displayName,
    buildNumber,
    addresses: vetted.map((entry) => entry.address),
    addressClass,
    relayNeeded: addressClass === undefined ? undefined : addressClass !== 'public',
    proxy: proxy === undefined ? undefined : new URL(proxy).origin,
    tls: tlsReport,
    error: failure === undefined ? undefined : toErrorShape(failure),
  };
}

/** Turns a refused verification into the step error, naming what the user can act on. */
function explainRefusal(
  reason: string,
  presented: PresentedChain,
  target: InstanceUrl,
): { error: CompanionError; verification: TlsVerification } {
  const certificates = presented.certificates;
  const leaf: X509Certificate | undefined = certificates[0];
  const top = certificates.at(-1);
  const code =
    reason === 'CERT_HAS_EXPIRED' || reason === 'CERT_NOT_YET_VALID'
      ? 'TLS_EXPIRED'
      : reason === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'TLS_HOSTNAME_MISMATCH'
        : 'TLS_UNTRUSTED';
  if (code === 'TLS_UNTRUSTED') {
    // The CA to paste is the one the presented chain ends at: the top's issuer, or the top
    // itself when the server sends its self-signed root along.
    const missing =
      top === undefined
        ? 'an unknown CA'
        : formatDistinguishedName(isSelfSigned(top) ? top.subject : top.issuer);
    const fingerprint =
      top !== undefined && isSelfSigned(top) ? ` (SHA-256 ${top.fingerprint256})` : '';
    if (top !== undefined && certificates.length === 1 && isSelfSigned(top) && !top.ca) {
      // A self-signed server certificate that is not a CA cannot be trusted as one: the fix is on
      // the server, and saying "paste the CA" would send the user in circles.
      return {
        verification: { kind: 'untrusted', code, reason, missingIssuer: missing },
        error: new CompanionError(
          code,
          `${target.hostname} presents a self-signed server certificate (SHA-256 ${top.fingerprint256}), not one issued by a CA (${reason}).`,
          {
            hint: 'Ask the Bitbucket administrator for a certificate issued by the company CA (or a public one), then paste that CA here.',
            data: { reason, issuer: missing, selfSignedLeaf: true },
          },
        ),
      };
    }
    return {
      verification: { kind: 'untrusted', code, reason, missingIssuer: missing },
      error: new CompanionError(
        code,
        `The certificate of ${target.hostname} is issued by "${missing}"${fingerprint}, which this machine does not trust (${reason}).`,
        {
          hint: `Paste the CA certificate of "${missing}" (ask the Bitbucket administrator for the root CA), then probe again.`,
          data: { reason, issuer: missing },
        },
      ),
    };
  }
  if (code === 'TLS_EXPIRED') {
    const now = Date.now();
    const bad = certificates.find(
      (certificate) =>
        Date.parse(certificate.validTo) < now || Date.parse(certificate.validFrom) > now,
    );
    const which =
      bad === undefined
        ? 'A certificate in the chain'
        : `The certificate "${formatDistinguishedName(bad.subject)}"`;
    const when =
      bad === undefined
        ? ''
        : Date.parse(bad.validTo) < now
          ? ` expired on ${certificateDate(bad.validTo)}`
          : ` is valid only from ${certificateDate(bad.validFrom)}`;
    return {
      verification: { kind: 'untrusted', code, reason, missingIssuer: undefined },
      error: new CompanionError(
        code,
        `${which}${when || ' is outside its validity period'} (${reason}).`,
        {
          data: { reason },
        },
      ),
    };
  }
  const names =
    leaf?.subjectAltName ??
    `subject ${leaf === undefined ? 'unknown' : formatDistinguishedName(leaf.subject)}`;
  return {
    verification: { kind: 'untrusted', code, reason, missingIssuer: undefined },
    error: new CompanionError(
      code,
      `The certificate of ${target.hostname} does not name it; it is valid for ${names}.`,
      { data: { reason, names } },
    ),
  };
}

function redirectError(
  from: string,
  location: string | string[] | undefined,
  target: InstanceUrl,
): CompanionError {
  const raw = Array.isArray(location) ? location[0] : location;
  let to: URL | undefined;
  try {
    to = raw === undefined ? undefined : new URL(raw, from);
  } catch {
    to = undefined;
  }
  const suggested =
    to !== undefined && to.pathname.endsWith(`/${APPLICATION_PROPERTIES}`)
      ? `${to.origin}${to.pathname.slice(0, -APPLICATION_PROPERTIES.length - 1)}`
      : undefined;
  const where = to === undefined ? 'an unnamed location' : `${to.origin}${to.pathname}`;
  return new CompanionError(
    'PROBE_REDIRECTED',
    `${target.baseUrl} redirects the API to ${where}.`,
    {
      ...(suggested !== undefined && suggested !== target.baseUrl && to?.protocol === 'https:'
        ? { hint: `Probe ${suggested} instead, if that is the Bitbucket address.` }
        : {}),
      data: { location: where },
    },
  );
}
