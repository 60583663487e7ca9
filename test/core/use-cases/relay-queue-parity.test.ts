import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Installation } from '../../../common/models/installation.js';
import { silentLogger } from '../../../core/logging/logger.js';
import { deliveryStore } from '../../../core/relay/delivery-store.js';
import { createMemorySecretStore } from '../../../core/secrets/memory-store.js';
import type { CompanionService } from '../../../core/service/companion-service.js';
import { openCompanionService } from '../../../core/service/open-service.js';
import { newInstallation } from '../../../core/settings/new-installation.js';
import { openSettings } from '../../../core/settings/settings-file.js';
import { openDatabase } from '../../../core/storage/database.js';
import { runCliInProcess } from '../../helpers/cli-harness.js';
import { serviceError, type JsonDocument } from './surfaces-fixture.js';

// The relay's queue as `relay deliveries|show|status|replay` and the relay view (desktop and
// `serve`) see it: one use case each, so the same home gives the same rows, the same counts and the
// same error codes for the same bad input.
let home: string;
let api: CompanionService;
let installation: Installation;
const ids: number[] = [];

async function cli(args: readonly string[]): Promise<{ code: number; document: JsonDocument }> {
  const run = await runCliInProcess(['--home', home, '--json', ...args], { env: {} });
  return { code: run.code, document: JSON.parse(run.stdout || '{}') as JsonDocument };
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'relay-queue-parity-'));
  installation = newInstallation({
    name: 'lab',
    baseUrl: 'https://bdc.example.test',
    platform: { baseUrl: 'https://platform.example.test', installationId: 'p-1', caPems: [] },
  });
  openSettings(home).saveInstallation(installation);
  const database = openDatabase(home);
  const store = deliveryStore(database);
  for (const [index, requestId] of ['a', 'b', 'c'].entries()) {
    const outcome = store.insertMany([
      {
        installationId: installation.id,
        requestId,
        eventKey: 'repo:refs_changed',
        repository: `P/r-${requestId}`,
        contentType: 'application/json',
        signature: undefined,
        body: Buffer.from(`{"n":${index}}`),
        receivedAt: 1_000 + index,
      },
    ])[0];
    if (outcome?.kind !== 'stored') throw new Error('not stored');
    ids.push(outcome.delivery.id);
  }
  const attempt = (
    deliveryId: number,
    step: { kind: 'delivered' } | { kind: 'dead'; reason: string },
  ) =>
    store.recordAttempt(installation.id, {
      deliveryId,
      at: 5_000,
      status: step.kind === 'delivered' ? 202 : 400,
      latencyMs: 3,
      error: step.kind === 'dead' ? 'refused' : undefined,
      responseExcerpt: undefined,
      step,
    });
  attempt(ids[0]!, { kind: 'delivered' });
  attempt(ids[1]!, { kind: 'dead', reason: 'refused' });
  database.close();
  api = await openCompanionService({
    home,
    transport: 'http',
    logger: silentLogger,
    secretStore: createMemorySecretStore(),
    env: {},
    oauthRedirect: 'localhost',
    startRelays: false,
  });
});

afterAll(async () => {
  await api?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('the relay queue, from the CLI and from the service', () => {
  it('lists the same deliveries with the same attempts', async () => {
    const fromCli = await cli(['relay', 'deliveries', 'lab']);
    const fromService = await api.invoke('listDeliveries', [{ installation: 'lab' }]);
    expect(fromCli.code).toBe(0);
    expect(fromCli.document['deliveries']).toEqual(JSON.parse(JSON.stringify(fromService)));
    expect(fromCli.document['deliveries']).toHaveLength(3);
  });

  it('counts the same status', async () => {
    const fromCli = await cli(['relay', 'status', 'lab']);
    const fromService = await api.invoke('getRelayStatus', [{ installation: 'lab' }]);
    for (const field of ['pending', 'delivered', 'dead', 'duplicates', 'rejectedSignatures']) {
      expect(fromCli.document[field], field).toBe(fromService[field as 'pending']);
    }
    expect([fromService.pending, fromService.delivered, fromService.dead]).toEqual([1, 1, 1]);
  });

  it('refuses the same bad input with the same code', async () => {
    const unknownCli = await cli(['relay', 'deliveries', 'nope']);
    expect(unknownCli.document['error']?.['code']).toBe('INSTALLATION_NOT_FOUND');
    expect(await serviceError(api.invoke('listDeliveries', [{ installation: 'nope' }]))).toBe(
      'INSTALLATION_NOT_FOUND',
    );
    const pending = ids[2]!;
    const pendingCli = await cli(['relay', 'replay', 'lab', String(pending)]);
    const pendingService = await serviceError(
      api.invoke('replayDeliveries', [{ installation: 'lab', ids: [pending] }]),
    );
    expect(pendingCli.document['error']?.['code']).toBe(pendingService);
    expect(pendingService).toBe('RELAY_DELIVERY_PENDING');
  });

  it('replays through either and the other sees it', async () => {
    const fromCli = await cli(['relay', 'replay', 'lab', '--dead']);
    expect(fromCli.document['replayed']).toEqual([ids[1]]);
    expect((await api.invoke('getRelayStatus', [{ installation: 'lab' }])).dead).toBe(0);
    expect(await api.invoke('replayDeliveries', [{ installation: 'lab', ids: [ids[0]!] }])).toEqual(
      { replayed: 1 },
    );
    const shown = await cli(['relay', 'show', 'lab', String(ids[0])]);
    expect(shown.document['delivery']?.['state']).toBe('pending');
  });
});
