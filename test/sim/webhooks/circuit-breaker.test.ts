import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  afterSuccess,
  bdcBreakerDefaults,
  closedBreaker,
  isOpen,
} from '../../../sim/webhooks/circuit-breaker.js';
import { changeJson, hubSignature, webhookDate, ZERO_ID } from '../../../sim/webhooks/payloads.js';

describe('webhook circuit breaker', () => {
  it('stays closed for 4 failures, opens for 10 s at the 5th, doubles, and caps at 10 h', () => {
    let state = closedBreaker;
    const now = 1_000_000;
    for (let failure = 1; failure <= 4; failure += 1) {
      state = afterFailure(state, now);
      expect(isOpen(state, now)).toBe(false);
    }
    state = afterFailure(state, now);
    expect(state.openUntil - now).toBe(10_000);
    state = afterFailure(state, now);
    expect(state.openUntil - now).toBe(20_000);
    state = afterFailure(state, now);
    expect(state.openUntil - now).toBe(40_000);
    for (let failure = 0; failure < 40; failure += 1) state = afterFailure(state, now);
    expect(state.openUntil - now).toBe(bdcBreakerDefaults.maxMs);
    expect(isOpen(state, now + bdcBreakerDefaults.maxMs - 1)).toBe(true);
    expect(isOpen(state, now + bdcBreakerDefaults.maxMs)).toBe(false);
    expect(afterSuccess()).toEqual(closedBreaker);
  });
});

describe('webhook payload pieces', () => {
  it('signs with lowercase hex HMAC-SHA256 (documented test vectors)', () => {
    expect(hubSignature('s3cr3t', '{"test":true}')).toBe(
      'sha256=fb5ae2ff34df84bac61e1fc1bd02da526cf29c8e0af411e2fb31c068315a97f9',
    );
    expect(hubSignature('Gkvl$k$wyNpQAF42', '{"eventKey":"repo:refs_changed"}')).toBe(
      'sha256=9f364cfaa50afa27089f75226055b4dbf1e8f0d013d59b510f3e8c3041055fe7',
    );
  });

  it('formats dates like BDC (offset without colon, no milliseconds)', () => {
    expect(webhookDate(Date.UTC(2025, 4, 18, 16, 57, 51, 123))).toBe('2025-05-18T16:57:51+0000');
  });

  it('types changes ADD / UPDATE / DELETE and tags', () => {
    const a = '1'.repeat(40);
    const b = '2'.repeat(40);
    expect(changeJson({ ref: 'refs/heads/x', oldId: ZERO_ID, newId: a })['type']).toBe('ADD');
    expect(changeJson({ ref: 'refs/heads/x', oldId: a, newId: b })['type']).toBe('UPDATE');
    expect(changeJson({ ref: 'refs/heads/feature/BB-1', oldId: a, newId: ZERO_ID })).toEqual({
      ref: { id: 'refs/heads/feature/BB-1', displayId: 'feature/BB-1', type: 'BRANCH' },
      refId: 'refs/heads/feature/BB-1',
      fromHash: a,
      toHash: ZERO_ID,
      type: 'DELETE',
    });
    expect(changeJson({ ref: 'refs/tags/v1', oldId: ZERO_ID, newId: a })['ref']).toEqual({
      id: 'refs/tags/v1',
      displayId: 'v1',
      type: 'TAG',
    });
  });
});
