import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { Command } from '../command.js';
import { formatRows } from '../output.js';
import { openServeSession, parsePort, waitForStop } from './serve.js';

/**
 * The part of the simulator's handle the demo uses. Declared here because product code never
 * imports `sim/`: the bundle is loaded at run time, and only where it was built.
 */
interface DemoSimulator {
  readonly url: string;
  readonly caPem: string;
  readonly pat: string;
  readonly project: string;
  readonly repo: string;
  readonly user: { readonly name: string };
  readonly oauthClientId: string;
  readonly platform:
    | {
        readonly url: string;
        readonly caPem: string;
        readonly installationId: string;
        readonly webhookSecret: string;
      }
    | undefined;
  close(): Promise<void>;
}

interface SimulatorModule {
  startSimulator(options: { readonly port?: number }): Promise<DemoSimulator>;
}

export const DEMO_INSTALLATION = 'demo';

async function loadSimulator(): Promise<SimulatorModule> {
  const candidates = ['../sim/index.js', '../../dist/sim/index.js'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new CompanionError('DEMO_SIMULATOR_MISSING', 'The simulator bundle is not installed.');
  }
  return (await import(pathToFileURL(found).href)) as SimulatorModule;
}

/**
 * `demo`: the simulator, an installation signed in against it, and the UI over `serve`.
 *
 * The demo keeps its own config home (`<home>/demo`) and holds its secrets — the simulator's PAT
 * and webhook secret, worth nothing outside this process — in memory, said so in the ready line
 * and in `auth status`. So it runs on a fresh server without a keychain, and never touches the
 * admin's real installations or keychain entries.
 */
export const demoCommand: Command = {
  path: ['demo'],
  summary: 'start the simulator, configure an installation against it, and serve the UI',
  options: { port: { type: 'string' }, 'sim-port': { type: 'string' } },
  optionHelp: [
    ['--port N', 'port of the UI (default: a free one)'],
    ['--sim-port N', 'port of the simulated Bitbucket (default: a free one)'],
  ],
  maxPositionals: 0,
  async run(context) {
    const port = parsePort(context.flags['port']);
    const simPort = parsePort(context.flags['sim-port']);
    const { startSimulator } = await loadSimulator();
    const sim = await startSimulator(simPort === undefined ? {} : { port: simPort });
    try {
      const session = await openServeSession(context, {
        ...(port === undefined ? {} : { port }),
        home: join(context.home, 'demo'),
        secretStore: 'in-memory',
      });
      try {
        const { service } = session;
        // A previous demo's installation points at a simulator that no longer runs.
        if (service.ports.settings.findInstallation(DEMO_INSTALLATION)) {
          await service.removeInstallation({ installation: DEMO_INSTALLATION });
        }
        await service.addInstallation({
          name: DEMO_INSTALLATION,
          baseUrl: sim.url,
          caPems: [sim.caPem],
          allowLoopback: true,
          ...(sim.platform
            ? {
                platform: {
                  baseUrl: sim.platform.url,
                  installationId: sim.platform.installationId,
                  caPems: [sim.platform.caPem],
                },
              }
            : {}),
        });
        await service.signInWithPat({ installation: DEMO_INSTALLATION, token: sim.pat });
        const installation = service.ports.settings.requireInstallation(DEMO_INSTALLATION);
        if (sim.platform) {
          await service.ports.secretStore.set(
            { installationId: installation.id, kind: 'webhook-secret' },
            sim.platform.webhookSecret,
          );
        }
        context.output.ready(
          {
            url: session.serve.url,
            installation: DEMO_INSTALLATION,
            simulatorUrl: sim.url,
            repo: `${sim.project}/${sim.repo}`,
            user: sim.user.name,
            home: join(context.home, 'demo'),
            secretStore: 'memory',
          },
          [
            `Open ${session.serve.url}`,
            formatRows([
              ['simulated BDC', sim.url],
              ['installation', `${DEMO_INSTALLATION} (signed in as ${sim.user.name})`],
              ['repository', `${sim.project}/${sim.repo}`],
              ['secrets', 'kept in memory for this demo only (simulator credentials)'],
            ]),
            'Ctrl-C to stop.',
          ].join('\n'),
        );
        await waitForStop(context.io.stopSignal);
      } finally {
        await session.close();
      }
    } finally {
      await sim.close();
    }
  },
};
