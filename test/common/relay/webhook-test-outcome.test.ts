import { describe, expect, it } from 'vitest';
import {
  describeWebhookTestFailure,
  relayTestOutcome,
} from '../../../common/relay/webhook-test-outcome.js';

const reached = { target: 'P/a', test: { reached: true, status: 200, error: undefined } };
const refused = {
  target: 'P/b',
  test: { reached: false, status: undefined, error: 'connect ECONNREFUSED 10.8.0.5:8787' },
};

describe("BDC's webhook test in words", () => {
  it('names the cause BDC reported, not its raw text', () => {
    expect(describeWebhookTestFailure(refused.test)).toMatch(/^the connection was refused/);
    expect(
      describeWebhookTestFailure({
        reached: false,
        status: undefined,
        error: 'java.net.SocketTimeoutException: connect timed out',
      }),
    ).toMatch(/timed out/);
    expect(
      describeWebhookTestFailure({
        reached: false,
        status: undefined,
        error: 'java.net.UnknownHostException: relay.corp',
      }),
    ).toMatch(/resolve the host name/);
    expect(
      describeWebhookTestFailure({
        reached: false,
        status: undefined,
        error: 'PKIX path building failed',
      }),
    ).toMatch(/certificate/);
    expect(describeWebhookTestFailure({ reached: false, status: 404, error: undefined })).toMatch(
      /HTTP 404/,
    );
  });
});

describe('the outcome of a registration', () => {
  it('is a failure as soon as one test failed, whatever else arrived', () => {
    const outcome = relayTestOutcome([reached, refused], true, false);
    expect(outcome.kind).toBe('unreachable');
    expect(outcome.kind === 'unreachable' && outcome.reasons).toEqual([
      'P/b: the connection was refused: nothing listens on that address and port as BDC sees it, or a firewall rejects it',
    ]);
  });

  it('waits for the ping, and after the bounded wait says this relay was not reached', () => {
    expect(relayTestOutcome([reached], false, false).kind).toBe('waiting');
    expect(relayTestOutcome([reached], true, false).kind).toBe('reached');
    expect(relayTestOutcome([reached], false, true).kind).toBe('not-this-relay');
  });
});
