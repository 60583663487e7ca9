import net from 'node:net';
import { request } from '../net/dispatcher-request.js';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { ProbeAddressClass, ProbeTls } from '../../common/models/probe.js';
import { vetOne, type Resolver, type VettedAddress } from '../net/guarded-lookup.js';
import { instanceEndpoint, parseInstanceUrlSyntax, type InstanceUrl } from '../net/instance-url.js';
import { createDispatcher } from '../net/network-factory.js';
import { USER_AGENT } from '../net/user-agent.js';
import type { ProxyChoice } from '../net/network-options.js';
import { proxyFor, resolveProxySettings } from '../net/proxy-settings.js';
import { readBounded } from '../io/bounded-read.js';
import { commonNameOf, summarizeCertificate } from '../trust/certificate-summary.js';
import { judgeApplicationProperties } from './bitbucket-version.js';
import { APPLICATION_PROPERTIES, explainRefusal, redirectError } from './probe-explanations.js';
import type { Connection, ConnectionTarget, ProbeSockets } from './probe-connection.js';
import type { StepOutcome } from './probe-step-runner.js';
import { inspectPresentedChain, verifyHandshake } from './tls-handshakes.js';

/**
 * The probe's steps, one function each: each takes what the earlier steps found and returns its
 * own result (or the failure that ends the probe). `runProbe` strings them together.
 */

const MAX_BODY_BYTES = 64 * 1024;

/** The trust options every TLS-speaking step uses. */
export interface ProbeTrust {
  readonly caPems?: readonly string[] | undefined;
  readonly allowPartialChain?: boolean | undefined;
}

export async function urlStep(input: string): Promise<StepOutcome<InstanceUrl>> {
  const parsed = parseInstanceUrlSyntax(input);
  return { ok: true, value: parsed, detail: parsed.baseUrl };
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

export async function dnsStep(
  target: InstanceUrl,
  resolver: Resolver,
): Promise<StepOutcome<readonly ResolvedAddress[]>> {
  if (net.isIP(target.hostname) !== 0) {
    return {
      ok: true,
      value: [{ address: target.hostname, family: net.isIP(target.hostname) }],
      detail: 'IP address, no lookup',
    };
  }
  const answers = await resolver(target.hostname);
  if (answers.length === 0) {
    throw new CompanionError('DNS_NOT_FOUND', `${target.hostname} has no addresses.`);
  }
  return { ok: true, value: answers, detail: answers.map((answer) => answer.address).join(', ') };
}

export interface VettedAddresses {
  readonly vetted: readonly VettedAddress[];
  readonly addressClass: ProbeAddressClass;
}

export async function addressStep(
  target: InstanceUrl,
  resolved: readonly ResolvedAddress[],
  policy: { readonly allowLoopback: boolean },
): Promise<StepOutcome<VettedAddresses>> {
  const vetted = resolved.map((answer) => vetOne(target.hostname, answer.address, policy));
  const addressClass: ProbeAddressClass = vetted.some((entry) => entry.addressClass === 'loopback')
    ? 'loopback'
    : vetted.some((entry) => entry.addressClass === 'private')
      ? 'private'
      : 'public';
  const words =
    addressClass === 'public'
      ? 'public: the platform could reach it'
      : `${addressClass}: webhooks need the relay`;
  return {
    ok: true,
    value: { vetted, addressClass },
    detail: `${vetted.map((entry) => entry.address).join(', ')} (${words})`,
  };
}

/** The proxy real traffic to the instance would take: the explicit (PAC) choice, or the variables. */
export function chooseProxy(
  target: InstanceUrl,
  choice: ProxyChoice | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (choice === undefined) return proxyFor(new URL(target.origin), resolveProxySettings(env));
  return choice.kind === 'proxy' ? choice.url : undefined;
}

export async function tcpStep(
  sockets: ProbeSockets,
  target: ConnectionTarget,
  timeoutMs: number,
): Promise<StepOutcome<Connection>> {
  const connection = await sockets.connect(target, timeoutMs);
  const { hostname, port } = target.instance;
  const where =
    target.proxy === undefined
      ? `${connection.address}:${port}`
      : `${hostname}:${port} through proxy ${new URL(target.proxy).host}`;
  return { ok: true, value: connection, detail: `connected to ${where}` };
}

/**
 * Looks at the presented chain over the first connection (inspection only: no request is ever
 * sent on it) and decides trust with a separate verifying handshake on a second one.
 */
export async function tlsStep(
  sockets: ProbeSockets,
  target: ConnectionTarget,
  first: Connection,
  trust: ProbeTrust,
  timeoutMs: number,
): Promise<StepOutcome<ProbeTls>> {
  const { hostname } = target.instance;
  const until = Date.now() + timeoutMs;
  const presented = await inspectPresentedChain({ socket: first.socket, hostname, timeoutMs });
  const second = await sockets.connect(target, Math.max(1, until - Date.now()));
  const outcome = await verifyHandshake(
    { socket: second.socket, hostname, timeoutMs: Math.max(1, until - Date.now()) },
    {
      ...(trust.caPems === undefined ? {} : { caPems: trust.caPems }),
      ...(trust.allowPartialChain === true ? { allowPartialChain: true } : {}),
    },
  );
  const chain = presented.certificates.map(summarizeCertificate);
  if (outcome.kind !== 'trusted') {
    const refusal = explainRefusal(outcome.reason, presented, target.instance);
    return {
      ok: false,
      error: refusal.error,
      value: { trusted: false, chain, verification: refusal.verification },
    };
  }
  const leaf = presented.certificates[0];
  const issuer = leaf ? commonNameOf(leaf.issuer) : 'unknown issuer';
  const daysLeft = Math.floor(
    ((leaf ? Date.parse(leaf.validTo) : Number.NaN) - Date.now()) / 86_400_000,
  );
  const expiring =
    Number.isFinite(daysLeft) && daysLeft < 30
      ? `; the server certificate expires in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`
      : '';
  return {
    ok: true,
    value: {
      trusted: true,
      chain,
      verification: { kind: 'trusted', protocol: outcome.protocol ?? presented.protocol },
    },
    detail: `${outcome.protocol ?? 'TLS'}, trusted (issued by ${issuer})${expiring}`,
  };
}

export interface HttpStepInput {
  readonly target: InstanceUrl;
  readonly vetted: readonly VettedAddress[];
  readonly allowLoopback: boolean;
  readonly trust: ProbeTrust;
  readonly proxy: ProxyChoice | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Asks for application-properties, over the vetted addresses, as a real client would. */
export async function httpStep(
  input: HttpStepInput,
  timeoutMs: number,
): Promise<StepOutcome<unknown>> {
  const { target, trust } = input;
  const pinned = input.vetted.map((entry) => ({ address: entry.address, family: entry.family }));
  const dispatcher = createDispatcher({
    addressPolicy: 'instance',
    allowLoopback: input.allowLoopback,
    ...(trust.caPems === undefined ? {} : { caPems: trust.caPems }),
    ...(trust.allowPartialChain === true ? { allowPartialChain: true } : {}),
    connectTimeoutMs: timeoutMs,
    requestTimeoutMs: timeoutMs,
    env: input.env,
    ...(input.proxy === undefined ? {} : { proxy: input.proxy }),
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
    return { ok: true, value: json, detail: `HTTP ${status} ${type.split(';')[0] ?? ''}`.trim() };
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}

export interface BitbucketIdentity {
  readonly version: string;
  readonly displayName: string | undefined;
  readonly buildNumber: string | undefined;
}

/** Judges the answer: Bitbucket at all, and a supported version (what it is, either way). */
export async function versionStep(
  target: InstanceUrl,
  body: unknown,
): Promise<StepOutcome<BitbucketIdentity>> {
  const verdict = judgeApplicationProperties(body);
  if (verdict.kind === 'not-bitbucket') {
    throw new CompanionError(
      'NOT_BITBUCKET',
      `${target.baseUrl} does not look like Bitbucket Data Center: ${verdict.reason}.`,
    );
  }
  const identity: BitbucketIdentity = {
    version: verdict.properties.version,
    displayName: verdict.properties.displayName,
    buildNumber: verdict.properties.buildNumber,
  };
  if (verdict.kind === 'unsupported') {
    return {
      ok: false,
      value: identity,
      error: new CompanionError(
        'UNSUPPORTED_VERSION',
        `Bitbucket ${identity.version} is not supported; the companion supports 9.x and 10.x.`,
        { data: { version: identity.version } },
      ),
    };
  }
  return {
    ok: true,
    value: identity,
    detail: `${identity.displayName ?? 'Bitbucket'} ${identity.version}`,
  };
}
