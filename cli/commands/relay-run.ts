import { resolve } from 'node:path';
import { CompanionError } from '../../common/errors/companion-error.js';
import type { RelayTlsFiles } from '../../common/models/installation.js';
import type { WatchSettings } from '../../common/models/watch.js';
import { formatListenAddress, runRelay } from '../../core/use-cases/run-relay.js';
import type { Command } from '../command.js';
import { positiveInteger, stderrLogger, withLocalPorts } from './relay-support.js';

function tlsFromFlags(certFile: unknown, keyFile: unknown, cwd: string): RelayTlsFiles | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (typeof certFile !== 'string' || typeof keyFile !== 'string') {
    throw new CompanionError('USAGE_INVALID', '--tls-cert and --tls-key go together.');
  }
  return { certFile: resolve(cwd, certFile), keyFile: resolve(cwd, keyFile) };
}

/** Ports of `relay run` that only tests and benchmarks set. */
export interface RelayRunPorts {
  /** Watch-mode interval below the 5 s floor of user input (keeps tests short). */
  readonly watchIntervalMs?: number;
}

/**
 * `relay run <name>`: the webhook relay as a daemon, until SIGTERM or SIGINT; with watch mode on
 * (`relay watch`), it also polls the watched repositories.
 */
export function createRelayRunCommand(ports: RelayRunPorts = {}): Command {
  return {
    path: ['relay', 'run'],
    summary:
      'run the webhook relay: receive BDC webhooks, store them, forward them to the platform',
    args: '<name>',
    minPositionals: 1,
    maxPositionals: 1,
    options: {
      listen: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'body-limit-mb': { type: 'string' },
      concurrency: { type: 'string' },
      'retention-days': { type: 'string' },
    },
    optionHelp: [
      [
        '--listen HOST:PORT',
        'where BDC posts (default: the installation relay setting, 127.0.0.1:8787)',
      ],
      [
        '--tls-cert FILE',
        'serve HTTPS with this PEM certificate chain (with --tls-key; default: the installation relay setting)',
      ],
      ['--tls-key FILE', 'the PEM private key of --tls-cert'],
      ['--body-limit-mb N', 'largest delivery accepted, in MiB (default 10); larger ones get 413'],
      ['--concurrency N', 'repositories forwarded in parallel (default 8)'],
      ['--retention-days N', 'delivered deliveries kept this many days (default 7)'],
    ],
    async run(context) {
      const name = context.positionals[0] as string;
      const { flags } = context;
      const tlsFiles = tlsFromFlags(flags['tls-cert'], flags['tls-key'], process.cwd());
      const bodyLimitMb = positiveInteger(flags['body-limit-mb'], '--body-limit-mb');
      const concurrency = positiveInteger(flags['concurrency'], '--concurrency');
      const retentionDays = positiveInteger(flags['retention-days'], '--retention-days');
      await withLocalPorts(context, async (local) => {
        const installation = local.settings.requireInstallation(name);
        const logger = stderrLogger(context, { installation: installation.name });
        const relay = await runRelay(
          {
            settings: local.settings,
            secretStore: () => local.secretStore(),
            database: local.database(),
            env: local.env,
            logger,
          },
          {
            installation: name,
            ...(typeof flags['listen'] === 'string' ? { listen: flags['listen'] } : {}),
            ...(tlsFiles ? { tlsFiles } : {}),
            ...(bodyLimitMb ? { bodyLimitBytes: bodyLimitMb * 1024 * 1024 } : {}),
            ...(concurrency ? { concurrency } : {}),
            ...(retentionDays ? { retentionDays } : {}),
            ...(ports.watchIntervalMs === undefined
              ? {}
              : { watch: { intervalMs: ports.watchIntervalMs } }),
          },
        );
        const status = relay.status();
        context.output.ready(
          {
            listen: formatListenAddress(relay.listen),
            url: relay.webhookUrl,
            target: relay.targetUrl,
            pending: status.pending,
            watch: installation.relay.watch ?? null,
          },
          `relay for ${installation.name} listening on ${relay.webhookUrl}\nforwarding to ${relay.targetUrl} (${status.pending} pending)${watchLine(installation.relay.watch)}`,
        );
        if (!context.io.stopSignal.aborted) {
          await new Promise<void>((resolve) =>
            context.io.stopSignal.addEventListener('abort', () => resolve(), { once: true }),
          );
        }
        logger.info('relay stopping');
        await relay.close();
      });
    },
  };
}

export const relayRunCommand: Command = createRelayRunCommand();

function watchLine(watch: WatchSettings | undefined): string {
  if (watch === undefined) return '';
  const what = [...watch.repositories, ...watch.projects.map((key) => `project ${key}`)];
  return `\nwatching ${what.join(', ')} every ${watch.intervalSeconds} s`;
}
