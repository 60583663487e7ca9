import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Envelope } from '../../../common/api/envelope.js';
import type { OperationName } from '../../../common/api/companion-api.js';
import { operationChannel } from '../../../common/api/operations.js';
import { repoRoot } from '../../helpers/cli-harness.js';
import {
  createElectronStandIn,
  type ElectronStandIn,
  type StandInOptions,
} from './electron-stand-in.js';

export const builtMain = join(repoRoot, 'dist/main/main.cjs');

interface ModuleLoader {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
}

/**
 * Requires the real built shell (`dist/main/main.cjs`, what `npm start` runs) with `electron`
 * resolved to a fresh stand-in, and `process.argv` set as the OS would launch the app. Each call
 * evaluates main.cjs anew, so every test gets its own composition root.
 */
export function loadMain(
  options: StandInOptions & { readonly argv?: readonly string[] },
): ElectronStandIn {
  if (!existsSync(builtMain)) throw new Error('run `npm run build` first');
  const standIn = createElectronStandIn(options);
  const loader = Module as unknown as ModuleLoader;
  const originalLoad = loader._load;
  const originalArgv = process.argv;
  const require = createRequire(import.meta.url);
  loader._load = function load(request, parent, isMain) {
    if (request === 'electron') return standIn.electron;
    return originalLoad.call(this, request, parent, isMain);
  };
  process.argv = ['/opt/Ankra BDC Companion/bdc-companion', ...(options.argv ?? [])];
  try {
    delete require.cache[builtMain];
    require(builtMain);
  } finally {
    process.argv = originalArgv;
    loader._load = originalLoad;
  }
  return standIn;
}

/** Waits until a condition holds (the shell's `ready` work is asynchronous). */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Calls one contract operation over the shell's IPC as the app's own page does. */
export async function callOperation<T>(
  shell: ElectronStandIn,
  operation: string,
  ...args: unknown[]
): Promise<T> {
  const envelope = (await shell.invoke(
    operationChannel(operation as OperationName),
    shell.mainFrame('app://bundle/index.html'),
    ...args,
  )) as Envelope<T>;
  if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), envelope.error);
  return envelope.value;
}
