import { describe, expect, it } from 'vitest';
import { chunkViews, decodeChunk, encodeChunk } from '../../../core/bridge/binary-chunk.js';
import {
  requestHeadersForBdc,
  responseHeadersForPlatform,
} from '../../../core/bridge/bridge-headers.js';
import { MAX_CHUNK_BYTES, MAX_FRAME_BYTES } from '../../../core/bridge/bridge-limits.js';
import { parsePlatformFrame } from '../../../core/bridge/bridge-frames.js';
import { ReconnectBackoff } from '../../../core/bridge/reconnect-backoff.js';
import { isWakeFromSleep, startWakeDetector } from '../../../core/bridge/wake-detector.js';

describe('bridge frames', () => {
  it('parses the request types of protocol v1', () => {
    expect(parsePlatformFrame('{"type":"welcome"}')).toEqual({
      ok: true,
      frame: { kind: 'welcome' },
    });
    const http = parsePlatformFrame(
      JSON.stringify({
        type: 'http',
        id: 'r-1',
        method: 'get',
        path: '/rest/api/latest/projects',
        query: { start: '0' },
        headers: { accept: 'application/json' },
      }),
    );
    expect(http).toMatchObject({ ok: true, frame: { kind: 'http', method: 'GET', id: 'r-1' } });
    const push = parsePlatformFrame(
      JSON.stringify({
        type: 'push',
        id: 'p-1',
        repo: 'PLAT/gitops',
        branch: 'main',
        message: 'm',
        changes: [
          { op: 'put', path: 'a.txt', content: Buffer.from('hi\u0000').toString('base64') },
          { op: 'delete', path: 'b.txt' },
        ],
      }),
    );
    expect(push.ok).toBe(true);
    if (push.ok && push.frame.kind === 'push') {
      expect(Buffer.from((push.frame.changes[0] as { content: Uint8Array }).content)).toEqual(
        Buffer.from('hi\u0000'),
      );
      expect(push.frame.changes[1]).toEqual({ kind: 'delete', path: 'b.txt' });
    }
  });

  it('refuses a frame over 1 MiB without parsing it, naming its id', () => {
    const big = JSON.stringify({ type: 'http', id: 'r-big', pad: 'x'.repeat(MAX_FRAME_BYTES) });
    const parsed = parsePlatformFrame(big);
    expect(parsed).toMatchObject({ ok: false, id: 'r-big' });
    if (!parsed.ok) expect(parsed.error.code).toBe('BRIDGE_BAD_REQUEST');
  });

  it.each([
    ['not json', '{'],
    ['no type', '{"id":"x"}'],
    ['no id', '{"type":"http","method":"GET","path":"/rest/x"}'],
    ['long id', JSON.stringify({ type: 'cancel', id: 'x'.repeat(65) })],
    ['id with a space', JSON.stringify({ type: 'cancel', id: 'a b' })],
    ['unknown type', JSON.stringify({ type: 'exec', id: 'x' })],
    [
      'query not strings',
      JSON.stringify({ type: 'http', id: 'x', method: 'GET', path: '/rest/a', query: { a: 1 } }),
    ],
    [
      'header with CRLF',
      JSON.stringify({
        type: 'http',
        id: 'x',
        method: 'GET',
        path: '/rest/a',
        headers: { accept: 'a\r\nx: y' },
      }),
    ],
    [
      'bad base64',
      JSON.stringify({
        type: 'push',
        id: 'x',
        repo: 'P/r',
        branch: 'm',
        message: 'm',
        changes: [{ op: 'put', path: 'a', content: '!!' }],
      }),
    ],
    [
      'no changes',
      JSON.stringify({
        type: 'push',
        id: 'x',
        repo: 'P/r',
        branch: 'm',
        message: 'm',
        changes: [],
      }),
    ],
    [
      'short expectedTip',
      JSON.stringify({
        type: 'push',
        id: 'x',
        repo: 'P/r',
        branch: 'm',
        message: 'm',
        expectedTip: 'abc',
        changes: [{ op: 'delete', path: 'a' }],
      }),
    ],
  ])('refuses %s with BRIDGE_BAD_REQUEST', (_name, text) => {
    const parsed = parsePlatformFrame(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe('BRIDGE_BAD_REQUEST');
  });
});

describe('bridge headers', () => {
  it('passes only the accept list to BDC: never the platform credential or cookies', () => {
    expect(
      requestHeadersForBdc({
        Accept: 'application/json',
        Authorization: 'Bearer platform',
        cookie: 'a=b',
        range: 'bytes=0-9',
        'x-forwarded-for': '1.2.3.4',
        'if-none-match': 'a\nb',
      }),
    ).toEqual({ accept: 'application/json', range: 'bytes=0-9' });
  });

  it('passes only the accept list back: never BDC identity or cookies', () => {
    expect(
      responseHeadersForPlatform({
        'content-type': 'text/plain',
        'content-length': '3',
        etag: '"x"',
        'x-ausername': 'admin',
        'set-cookie': ['BITBUCKETSESSIONID=1'],
        'x-auserid': '1',
        authorization: 'x',
      }),
    ).toEqual({ 'content-type': 'text/plain', 'content-length': '3', etag: '"x"' });
  });
});

describe('binary chunks', () => {
  it('frames id + 0x00 + bytes and splits bodies at 256 KiB', () => {
    const body = Buffer.alloc(MAX_CHUNK_BYTES * 2 + 5, 7);
    const views = [...chunkViews(body)];
    expect(views.map((view) => view.byteLength)).toEqual([MAX_CHUNK_BYTES, MAX_CHUNK_BYTES, 5]);
    const frame = encodeChunk('r-17', views[2]!);
    expect(frame.subarray(0, 5)).toEqual(Buffer.from('r-17\u0000'));
    expect(decodeChunk(frame)).toEqual({ id: 'r-17', bytes: Buffer.alloc(5, 7) });
    expect(() => encodeChunk('r', Buffer.alloc(MAX_CHUNK_BYTES + 1))).toThrow(RangeError);
    expect(decodeChunk(Buffer.from('no separator'))).toBeUndefined();
  });
});

describe('reconnect backoff', () => {
  it('doubles a full-jitter ceiling from 1 s to 60 s and resets after 60 s up', () => {
    const backoff = new ReconnectBackoff();
    const ceilings = Array.from({ length: 9 }, () => backoff.nextDelay(0, () => 0.999999));
    expect(ceilings.map((ms) => Math.round(ms / 1000))).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect(backoff.nextDelay(0, () => 0)).toBe(0);
    backoff.connected(1_000);
    // Up for less than a minute: the ceiling keeps growing.
    expect(backoff.nextDelay(59_000, () => 0.999999)).toBeGreaterThan(59_000);
    backoff.connected(100_000);
    expect(backoff.nextDelay(160_000, () => 0.999999)).toBeLessThan(1_000);
  });
});

describe('wake from sleep', () => {
  it('calls a timer that fired far too late a wake', () => {
    expect(isWakeFromSleep(0, 5_100)).toBe(false);
    expect(isWakeFromSleep(0, 5_000 + 15_001)).toBe(true);
    let now = 0;
    let tick: () => void = () => undefined;
    const woke: number[] = [];
    const stop = startWakeDetector((slept) => woke.push(slept), {
      now: () => now,
      setInterval: (callback) => {
        tick = callback;
        return {};
      },
      clearInterval: () => undefined,
    });
    now = 5_000;
    tick();
    now = 5_000 + 5_000 + 600_000;
    tick();
    expect(woke).toEqual([600_000]);
    stop();
  });
});
