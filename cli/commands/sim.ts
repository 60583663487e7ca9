import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';

/**
 * The part of the simulator's handle this command uses. Declared here because product code must
 * not import `sim/` (not even its types): the simulator ships as a separate bundle that is loaded
 * at run time, only by this command.
 */
interface SimulatorModule {
  startSimulator(options: {
    port?: number;
    version?: string;
    seed?: string;
    contextPath?: string;
    keyType?: 'rsa' | 'ec';
    dataDir?: string;
  }): Promise<LoadedSimulator>;
}

interface LoadedSimulator {
  readonly url: string;
  readonly caFile: string;
  readonly user: { readonly name: string };
  readonly pat: string;
  readonly project: string;
  readonly repo: string;
  readonly oauthClientId: string;
  readonly oauthClientSecret: string;
  readonly platform:
    | {
        readonly url: string;
        readonly caFile: string;
        readonly installationId: string;
        readonly webhookSecret: string;
        readonly bridgeToken: string;
      }
    | undefined;
  close(): Promise<void>;
}

/** dist/cli/main.js → dist/sim/index.js; from sources (tests): cli/commands → sim/index.ts. */
const candidates = ['../sim/index.js', '../../sim/index.ts'];

async function loadSimulator(): Promise<SimulatorModule> {
  for (const candidate of candidates) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return (await import(url.href)) as SimulatorModule;
  }
  throw new CompanionError(
    'INTERNAL_ERROR',
    'The simulator bundle (dist/sim/index.js) is missing.',
    {
      hint: 'Run `npm run build` in the companion folder, then start the simulator again.',
    },
  );
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new CompanionError(
      'USAGE_INVALID',
      `--port must be a number from 0 to 65535, not "${value}".`,
    );
  }
  return port;
}

function parseVersion(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,2}\.\d{1,3}(\.\d{1,3})?$/.test(value)) {
    throw new CompanionError('USAGE_INVALID', `--version must look like 9.4.22, not "${value}".`);
  }
  return value.split('.').length === 2 ? `${value}.0` : value;
}

/** `sim`: the local BDC stand-in and platform stand-in, until SIGTERM/SIGINT. */
export const simCommand: Command = {
  path: ['sim'],
  summary: 'run the local Bitbucket Data Center simulator and platform stand-in (tests, demo)',
  options: {
    port: { type: 'string' },
    // `--version` is a global flag; the parser hands it to this command when it is present.
    version: { type: 'string' },
    seed: { type: 'string' },
    'context-path': { type: 'string' },
    'key-type': { type: 'string' },
    'data-dir': { type: 'string' },
  },
  optionHelp: [
    ['--port N', 'HTTPS port on 127.0.0.1 (default: a free port)'],
    ['--version V', 'BDC version to report, e.g. 9.4.22 or 10.1.0'],
    ['--seed FILE', 'JSON or YAML seed: users, tokens, projects, repositories'],
    ['--context-path P', 'serve under a context path, e.g. /bitbucket'],
    ['--key-type rsa|ec', 'key type of the generated PKI (default rsa)'],
    ['--data-dir DIR', 'keep repositories and CA files in DIR (default: a temp folder)'],
  ],
  maxPositionals: 0,
  async run({ flags, io, output }) {
    const port = parsePort(flags['port'] as string | undefined);
    const version = parseVersion(flags['version'] as string | undefined);
    const seed = flags['seed'] as string | undefined;
    const contextPath = flags['context-path'] as string | undefined;
    if (contextPath !== undefined && !/^\/[A-Za-z0-9._~\-/]*$/.test(contextPath)) {
      throw new CompanionError(
        'USAGE_INVALID',
        `--context-path must start with "/", not "${contextPath}".`,
      );
    }
    const keyType = flags['key-type'] as string | undefined;
    if (keyType !== undefined && keyType !== 'rsa' && keyType !== 'ec') {
      throw new CompanionError('USAGE_INVALID', `--key-type must be rsa or ec, not "${keyType}".`);
    }
    const dataDir = flags['data-dir'] as string | undefined;
    if (seed !== undefined && !existsSync(seed)) {
      throw new CompanionError('FILE_READ_FAILED', `The seed file ${seed} does not exist.`);
    }
    const module = await loadSimulator();
    let sim: LoadedSimulator;
    try {
      sim = await module.startSimulator({
        ...(port !== undefined ? { port } : {}),
        ...(version !== undefined ? { version } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(contextPath !== undefined ? { contextPath } : {}),
        ...(keyType === 'rsa' || keyType === 'ec' ? { keyType } : {}),
        ...(dataDir !== undefined ? { dataDir } : {}),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/EADDRINUSE/.test(message)) {
        throw new CompanionError('INPUT_INVALID', `Port ${port ?? 0} on 127.0.0.1 is in use.`, {
          hint: 'Pick another --port, or omit it for a free one.',
        });
      }
      if (error instanceof Error && error.name === 'SeedError') {
        throw new CompanionError('INPUT_INVALID', message, {
          hint: 'Fix the seed file; the message names the field.',
        });
      }
      throw new CompanionError('INTERNAL_ERROR', `The simulator failed to start: ${message}`, {
        cause: error,
      });
    }
    const ready = {
      url: sim.url,
      caFile: sim.caFile,
      user: sim.user.name,
      pat: sim.pat,
      project: sim.project,
      repo: sim.repo,
      oauthClientId: sim.oauthClientId,
      oauthClientSecret: sim.oauthClientSecret,
      platformUrl: sim.platform?.url ?? null,
      platformCaFile: sim.platform?.caFile ?? null,
      platformInstallationId: sim.platform?.installationId ?? null,
      webhookSecret: sim.platform?.webhookSecret ?? null,
      bridgeToken: sim.platform?.bridgeToken ?? null,
    };
    output.ready(
      ready,
      `${formatRows([
        ['simulator', sim.url],
        ['ca file', sim.caFile],
        ['user', sim.user.name],
        ['pat', sim.pat],
        ['repository', `${sim.project}/${sim.repo}`],
        ['oauth client', sim.oauthClientId],
        ['platform', sim.platform?.url ?? '(off)'],
        ['installation', sim.platform?.installationId ?? '(off)'],
      ])}\n(Ctrl+C stops it)`,
    );
    if (!io.stopSignal.aborted) {
      await new Promise<void>((resolve) =>
        io.stopSignal.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
    await sim.close();
  },
};
