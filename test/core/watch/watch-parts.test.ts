import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliveryMode } from '../../../common/relay/delivery-mode.js';
import { pktLine, FLUSH_PKT } from '../../../core/git/pkt-line.js';
import { parseRefAdvertisement } from '../../../core/watch/ref-advertisement.js';
import { diffRefs } from '../../../core/watch/ref-changes.js';
import { refsChangedBody, webhookDate } from '../../../core/watch/refs-changed-body.js';
import { signBody } from '../../../core/relay/signature.js';
import { payloadChanges } from '../../../core/watch/webhook-admission.js';
import { watchSettingsFor } from '../../../core/use-cases/configure-watch.js';

const ZERO = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const T = 'd'.repeat(40);

describe('ref advertisement', () => {
  it('keeps branches and tags, peels annotated tags, skips capabilities and other refs', () => {
    const body = Buffer.concat([
      pktLine('# service=git-upload-pack\n'),
      FLUSH_PKT,
      pktLine(`${A} HEAD\u0000multi_ack side-band-64k symref=HEAD:refs/heads/main\n`),
      pktLine(`${A} refs/heads/main\n`),
      pktLine(`${B} refs/heads/feature/x\n`),
      pktLine(`${C} refs/pull-requests/1/from\n`),
      pktLine(`${T} refs/tags/v1\n`),
      pktLine(`${A} refs/tags/v1^{}\n`),
      pktLine(`${B} refs/tags/light\n`),
      FLUSH_PKT,
    ]);
    const { refs, head } = parseRefAdvertisement(body);
    expect(head).toBe('refs/heads/main');
    expect([...refs.keys()]).toEqual([
      'refs/heads/main',
      'refs/heads/feature/x',
      'refs/tags/v1',
      'refs/tags/light',
    ]);
    expect(refs.get('refs/tags/v1')).toEqual({ hash: T, peeled: A });
    expect(refs.get('refs/tags/light')).toEqual({ hash: B });
  });

  it('reads the refs of an empty repository as none', () => {
    const body = Buffer.concat([
      pktLine('# service=git-upload-pack\n'),
      FLUSH_PKT,
      pktLine(`${ZERO} capabilities^{}\u0000multi_ack\n`),
      FLUSH_PKT,
    ]);
    expect(parseRefAdvertisement(body).refs.size).toBe(0);
  });
});

describe('ref changes', () => {
  it('one change per ref with the whole range: add, update, delete, tag (peeled commit)', () => {
    const stored = new Map([
      ['refs/heads/main', A],
      ['refs/heads/gone', B],
    ]);
    const current = new Map([
      ['refs/heads/main', { hash: C }],
      ['refs/heads/new', { hash: A }],
      ['refs/tags/v1', { hash: T, peeled: C }],
    ]);
    expect(diffRefs(stored, current)).toEqual([
      { ref: 'refs/heads/gone', fromHash: B, toHash: ZERO, type: 'DELETE', toCommit: undefined },
      { ref: 'refs/heads/main', fromHash: A, toHash: C, type: 'UPDATE', toCommit: C },
      { ref: 'refs/heads/new', fromHash: ZERO, toHash: A, type: 'ADD', toCommit: A },
      { ref: 'refs/tags/v1', fromHash: ZERO, toHash: T, type: 'ADD', toCommit: C },
    ]);
    expect(
      diffRefs(new Map([['refs/heads/main', A]]), new Map([['refs/heads/main', { hash: A }]])),
    ).toEqual([]);
  });
});

describe('repo:refs_changed body', () => {
  const actor = {
    links: { self: [{ href: 'https://bdc/users/admin' }] },
    name: 'admin',
    id: 2,
    emailAddress: 'admin@example.com',
    displayName: 'Administrator',
    active: true,
    slug: 'admin',
    type: 'NORMAL',
  };
  const repository = {
    slug: 'repo',
    id: 1,
    name: 'repo',
    hierarchyId: 'h',
    scmId: 'git',
    state: 'AVAILABLE',
    statusMessage: 'Available',
    forkable: true,
    project: { key: 'P', id: 1, name: 'p', public: false, type: 'NORMAL', links: {} },
    public: false,
    archived: false,
    links: { clone: [], self: [] },
  };
  const commit = (id: string, parent: string, at: number) => ({
    id,
    displayId: id.slice(0, 11),
    author: { name: 'Dev', emailAddress: 'dev@example.com' },
    authorTimestamp: at,
    committer: { name: 'Dev', emailAddress: 'dev@example.com' },
    committerTimestamp: at,
    message: `commit ${id.slice(0, 4)}`,
    parents: [{ id: parent, displayId: parent.slice(0, 11) }],
  });

  it("has BDC's keys in BDC's order, one change, toCommit with its parents expanded, ≤ 5 commits", () => {
    const to = commit(C, B, 1_700_000_002_000);
    const parent = commit(B, A, 1_700_000_001_000);
    const body = refsChangedBody({
      at: Date.parse('2025-05-18T16:57:51.123Z'),
      actor,
      repository,
      change: { ref: 'refs/heads/main', fromHash: A, toHash: C, type: 'UPDATE', toCommit: C },
      toCommit: to,
      toCommitParents: [parent],
      commits: [to, parent, to, parent, to, parent],
    });
    const text = body.toString('utf8');
    const payload = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual([
      'eventKey',
      'date',
      'actor',
      'repository',
      'changes',
      'commits',
      'toCommit',
    ]);
    expect(payload['date']).toBe('2025-05-18T16:57:51+0000');
    expect(Object.keys(payload['actor'] as object)).toEqual([
      'name',
      'emailAddress',
      'active',
      'displayName',
      'id',
      'slug',
      'type',
      'links',
    ]);
    expect(text).toContain(
      `"changes":[{"ref":{"id":"refs/heads/main","displayId":"main","type":"BRANCH"},"refId":"refs/heads/main","fromHash":"${A}","toHash":"${C}","type":"UPDATE"}]`,
    );
    const toCommit = payload['toCommit'] as {
      parents: { message?: string }[];
      committerTimestamp: number;
    };
    expect(toCommit.parents[0]?.message).toBe('commit bbbb');
    expect(toCommit.committerTimestamp).toBe(1_700_000_002_000);
    expect((payload['commits'] as unknown[]).length).toBe(5);
    expect(text).not.toMatch(/\n/);
  });

  it('a deleted tag has no toCommit and no commits; the signature is BDC’s HMAC over the bytes', () => {
    const body = refsChangedBody({
      at: 0,
      actor,
      repository,
      change: {
        ref: 'refs/tags/v1',
        fromHash: T,
        toHash: ZERO,
        type: 'DELETE',
        toCommit: undefined,
      },
      toCommit: undefined,
      toCommitParents: [],
      commits: [],
    });
    const payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    expect(payload['toCommit']).toBeUndefined();
    expect(payload['commits']).toEqual([]);
    expect((payload['changes'] as { ref: { type: string; displayId: string } }[])[0]?.ref).toEqual({
      id: 'refs/tags/v1',
      displayId: 'v1',
      type: 'TAG',
    });
    expect(signBody('s3cr3t', body)).toBe(
      `sha256=${createHmac('sha256', 's3cr3t').update(body).digest('hex')}`,
    );
    expect(payloadChanges(body)).toEqual([{ ref: 'refs/tags/v1', toHash: ZERO }]);
    expect(webhookDate(0)).toBe('1970-01-01T00:00:00+0000');
  });
});

describe('watch settings', () => {
  it('defaults to 15 s, refuses intervals below 5 s, bad targets and an empty list', () => {
    expect(
      watchSettingsFor({ kind: 'on', repositories: ['P/r', 'P/r'], projects: [] }, undefined),
    ).toEqual({ repositories: ['P/r'], projects: [], intervalSeconds: 15 });
    const code = (run: () => unknown): string | undefined => {
      try {
        run();
        return undefined;
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    expect(
      code(() =>
        watchSettingsFor(
          { kind: 'on', repositories: ['P/r'], projects: [], intervalSeconds: 4 },
          undefined,
        ),
      ),
    ).toBe('WATCH_INTERVAL_INVALID');
    expect(
      code(() =>
        watchSettingsFor({ kind: 'on', repositories: ['P/r/x'], projects: [] }, undefined),
      ),
    ).toBe('WATCH_TARGET_INVALID');
    expect(
      code(() => watchSettingsFor({ kind: 'on', repositories: [], projects: [] }, undefined)),
    ).toBe('WATCH_NOTHING_TO_WATCH');
    expect(watchSettingsFor({ kind: 'off' }, undefined)).toBeUndefined();
  });
});

describe('delivery mode', () => {
  const watch = { repositories: ['P/r'], projects: [], intervalSeconds: 15 };
  const failed = { testedAt: '2026-01-01T00:00:00.000Z', reached: false, reason: 'ECONNREFUSED' };
  it('follows the evidence: refused test → offer watch with the reason; watch on → watch; both', () => {
    const offer = deliveryMode({
      watch: undefined,
      registeredWebhooks: 1,
      evidence: failed,
      lastPingAt: undefined,
    });
    expect(offer.mode).toBe('webhooks');
    expect(offer.suggestWatch).toBe(true);
    expect(offer.reason).toContain('ECONNREFUSED');
    const watching = deliveryMode({
      watch,
      registeredWebhooks: 1,
      evidence: failed,
      lastPingAt: undefined,
    });
    expect(watching.mode).toBe('watch');
    expect(watching.reason).toContain('ECONNREFUSED');
    expect(
      deliveryMode({
        watch,
        registeredWebhooks: 1,
        evidence: { ...failed, reached: true },
        lastPingAt: undefined,
      }).mode,
    ).toBe('both');
    expect(
      deliveryMode({
        watch: undefined,
        registeredWebhooks: 0,
        evidence: undefined,
        lastPingAt: undefined,
      }).mode,
    ).toBe('none');
  });
});
