import { CompanionError, toErrorShape } from '../../common/errors/companion-error.js';
import type {
  ProbeAddressClass,
  ProbeResult,
  ProbeStepResult,
  ProbeTls,
} from '../../common/models/probe.js';
import { systemResolver, type Resolver, type VettedAddress } from '../net/guarded-lookup.js';
import type { InstanceUrl } from '../net/instance-url.js';
import type { ProxyChoice } from '../net/network-options.js';
import { routeChoice } from '../net/route-choice.js';
import { ProbeSockets, type ConnectionTarget } from './probe-connection.js';
import { ProbeStepRunner } from './probe-step-runner.js';
import {
  addressStep,
  chooseProxy,
  dnsStep,
  httpStep,
  tcpStep,
  tlsStep,
  urlStep,
  versionStep,
  type BitbucketIdentity,
  type ProbeTrust,
} from './probe-steps.js';

export const PROBE_DEADLINE_MS = 15_000;
export const PROBE_STEP_TIMEOUT_MS = 5_000;

export interface ProbeOptions {
  /** CAs trusted in addition to the runtime roots, for this probe only. */
  readonly caPems?: readonly string[];
  readonly allowLoopback?: boolean;
  /** Lets a pasted intermediate anchor the chain (the explicit partial-chain choice). */
  readonly allowPartialChain?: boolean;
  /** An explicit proxy decision (PAC), replacing the proxy variables. */
  readonly proxy?: ProxyChoice;
  /** Proxy variables (core never reads `process.env` itself; the adapters pass theirs). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The whole probe never takes longer than this (15 s by default). */
  readonly deadlineMs?: number;
  /** Upper bound per step (and per address tried); the deadline still wins. */
  readonly stepTimeoutMs?: number;
  /** Called once per step as it finishes, for the UI's live checklist. */
  readonly onStep?: (step: ProbeStepResult) => void;
  readonly signal?: AbortSignal;
  readonly resolver?: Resolver;
}

/** What the probe learned before it ended: each step adds its own part. */
interface ProbeFindings {
  readonly instance?: InstanceUrl;
  readonly vetted?: readonly VettedAddress[];
  readonly addressClass?: ProbeAddressClass;
  readonly proxy?: string | undefined;
  readonly tls?: ProbeTls | undefined;
  readonly identity?: BitbucketIdentity | undefined;
  readonly supported?: boolean;
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
 *
 * Each step is its own function (`probe-steps.ts`) with an explicit result; this one strings them
 * together and turns what they found into the report.
 */
export async function runProbe(input: string, options: ProbeOptions): Promise<ProbeResult> {
  const runner = new ProbeStepRunner({
    deadline: Date.now() + (options.deadlineMs ?? PROBE_DEADLINE_MS),
    stepCapMs: options.stepTimeoutMs ?? PROBE_STEP_TIMEOUT_MS,
    signal: options.signal,
    onStep: options.onStep,
  });
  const sockets = new ProbeSockets();
  let ended: Ended;
  try {
    ended = await probeSteps(input, options, runner, sockets);
  } catch (error) {
    ended = {
      findings: {},
      failure: new CompanionError(
        'INTERNAL_ERROR',
        `The probe failed unexpectedly: ${String(error)}`,
      ),
    };
  } finally {
    sockets.closeAll();
  }
  return report(input, runner.steps, ended);
}

type Ended = { readonly findings: ProbeFindings; readonly failure: CompanionError | undefined };

async function probeSteps(
  input: string,
  options: ProbeOptions,
  runner: ProbeStepRunner,
  sockets: ProbeSockets,
): Promise<Ended> {
  const env = options.env;
  const trust: ProbeTrust = {
    caPems: options.caPems,
    allowPartialChain: options.allowPartialChain,
  };
  const allowLoopback = options.allowLoopback === true;

  const url = await runner.run('url', 'PROBE_TIMEOUT', input, () => urlStep(input));
  if (!url.ok) return { findings: {}, failure: url.error };
  const instance = url.value;
  const host = instance.hostname;

  const dns = await runner.run('dns', 'DNS_FAILED', host, () =>
    dnsStep(instance, options.resolver ?? systemResolver),
  );
  if (!dns.ok) return { findings: { instance }, failure: dns.error };

  const vetting = await runner.run('address', 'PROBE_TIMEOUT', host, () =>
    addressStep(instance, dns.value, { allowLoopback }),
  );
  if (!vetting.ok) return { findings: { instance }, failure: vetting.error };
  const { vetted, addressClass } = vetting.value;
  // The route real traffic to the instance takes (the process routing: Network setting, PAC,
  // variables, system), so the probe reports the firewall the requests would hit.
  let choice = options.proxy;
  if (choice === undefined) {
    try {
      choice = await routeChoice(instance.baseUrl, {});
    } catch (error) {
      const failure =
        error instanceof CompanionError
          ? error
          : new CompanionError('PROXY_FAILED', (error as Error).message, { cause: error });
      return { findings: { instance, vetted, addressClass }, failure };
    }
  }
  const proxy = chooseProxy(instance, choice, env);
  const reached: ProbeFindings = { instance, vetted, addressClass, proxy };
  const target: ConnectionTarget = { instance, vetted, proxy, caPems: options.caPems };

  const tcp = await runner.run('tcp', 'CONNECT_TIMEOUT', host, (timeoutMs) =>
    tcpStep(sockets, target, timeoutMs),
  );
  if (!tcp.ok) return { findings: reached, failure: tcp.error };

  const tls = await runner.run('tls', 'CONNECT_TIMEOUT', host, (timeoutMs) =>
    tlsStep(sockets, target, tcp.value, trust, timeoutMs),
  );
  if (!tls.ok) return { findings: { ...reached, tls: tls.value }, failure: tls.error };
  const secured: ProbeFindings = { ...reached, tls: tls.value };

  const http = await runner.run('http', 'REQUEST_TIMEOUT', host, (timeoutMs) =>
    httpStep({ target: instance, vetted, allowLoopback, trust, proxy: choice, env }, timeoutMs),
  );
  if (!http.ok) return { findings: secured, failure: http.error };

  const version = await runner.run('version', 'PROBE_TIMEOUT', host, () =>
    versionStep(instance, http.value),
  );
  return {
    findings: { ...secured, identity: version.value, supported: version.ok },
    failure: version.ok ? undefined : version.error,
  };
}

function report(input: string, steps: readonly ProbeStepResult[], ended: Ended): ProbeResult {
  const { findings, failure } = ended;
  const addressClass = findings.addressClass;
  return {
    kind: 'probe-result',
    url: input,
    baseUrl: findings.instance?.baseUrl,
    ok: failure === undefined,
    steps: [...steps],
    version: findings.identity?.version,
    supported: findings.supported === true,
    displayName: findings.identity?.displayName,
    buildNumber: findings.identity?.buildNumber,
    addresses: (findings.vetted ?? []).map((entry) => entry.address),
    addressClass,
    relayNeeded: addressClass === undefined ? undefined : addressClass !== 'public',
    proxy: findings.proxy === undefined ? undefined : new URL(findings.proxy).origin,
    tls: findings.tls,
    error: failure === undefined ? undefined : toErrorShape(failure),
  };
}
