/**
 * What BDC's own webhook test and the relay's record of its ping say together, in words an admin
 * acts on. A failed test is a failure: registration alone proves nothing about the direction
 * BDC → relay, which is the one a VPN laptop usually lacks (docs/relay-and-services.md, "Where to
 * run the relay").
 */

/** How long the wizard waits for proof that BDC reached the relay before it says it did not. */
export const RELAY_TEST_WAIT_MS = 15_000;

export interface WebhookTestFacts {
  readonly target: string;
  readonly test: {
    readonly reached: boolean;
    readonly status: number | undefined;
    readonly error: string | undefined;
  };
}

export type RelayTestOutcome =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'reached' }
  /** BDC's test call failed for these repositories: it could not reach the URL at all. */
  | { readonly kind: 'unreachable'; readonly reasons: readonly string[] }
  /** BDC reached something at the URL, but this relay never recorded the ping. */
  | { readonly kind: 'not-this-relay' };

/**
 * Why BDC's test call failed, from the error or status BDC reported (its Java exception text, or
 * a Node error code in the simulator), as a sentence.
 */
export function describeWebhookTestFailure(test: WebhookTestFacts['test']): string {
  const error = test.error ?? '';
  if (/ECONNREFUSED|refused/i.test(error)) {
    return 'the connection was refused: nothing listens on that address and port as BDC sees it, or a firewall rejects it';
  }
  if (/ETIMEDOUT|timed? ?out|timeout|EHOSTUNREACH|ENETUNREACH|unreachable|no route/i.test(error)) {
    return 'the connection timed out: BDC cannot route to that address';
  }
  if (/ENOTFOUND|EAI_AGAIN|UnknownHost|resolve|name or service/i.test(error)) {
    return 'BDC could not resolve the host name';
  }
  if (/certificate|PKIX|SSL|TLS|handshake/i.test(error)) {
    return "BDC does not trust the relay's HTTPS certificate";
  }
  if (test.status !== undefined) {
    return `something at that address answered HTTP ${test.status}, which is not the relay's answer`;
  }
  return error ? `BDC could not connect to that address (${error})` : 'BDC got no answer';
}

/**
 * The outcome of a registration so far: `pinged` when the relay recorded BDC's ping, `timedOut`
 * once RELAY_TEST_WAIT_MS passed without it.
 */
export function relayTestOutcome(
  webhooks: readonly WebhookTestFacts[],
  pinged: boolean,
  timedOut: boolean,
): RelayTestOutcome {
  const failed = webhooks.filter((hook) => !hook.test.reached);
  if (failed.length > 0) {
    return {
      kind: 'unreachable',
      reasons: [
        ...new Set(
          failed.map((hook) => `${hook.target}: ${describeWebhookTestFailure(hook.test)}`),
        ),
      ],
    };
  }
  if (pinged) return { kind: 'reached' };
  return timedOut ? { kind: 'not-this-relay' } : { kind: 'waiting' };
}
