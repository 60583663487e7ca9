import { CompanionError } from '../../common/errors/companion-error.js';
import type { NetworkUpdate } from '../../common/models/network.js';
import type { Command } from '../command.js';
import { openLocalPorts } from '../../core/use-cases/local-ports.js';
import { changeNetwork, showHomeNetwork } from '../../core/use-cases/network-settings.js';
import { readSecretFromStdin } from './installation-support.js';
import { networkText } from './network-support.js';

/**
 * `network set (--auto | --direct | --pac URL | --proxy URL [--no-proxy LIST]
 * [--proxy-credentials-stdin | --keep-credentials])`: the proxy setting every connection follows.
 * Credentials come as `user:password` on standard input, never as an argument.
 */
export const networkSetCommand: Command = {
  path: ['network', 'set'],
  summary: 'set how connections leave the machine: auto, direct, a proxy URL or a PAC file',
  maxPositionals: 0,
  options: {
    auto: { type: 'boolean' },
    direct: { type: 'boolean' },
    pac: { type: 'string' },
    proxy: { type: 'string' },
    'no-proxy': { type: 'string' },
    'proxy-credentials-stdin': { type: 'boolean' },
    'keep-credentials': { type: 'boolean' },
  },
  optionHelp: [
    ['--auto', 'HTTPS_PROXY/NO_PROXY when set, otherwise direct (the default)'],
    ['--direct', 'never use a proxy'],
    ['--pac URL', 'ask this proxy auto-config (PAC) file for each address'],
    ['--proxy URL', 'use this proxy (http://host:port or https://host:port)'],
    ['--no-proxy LIST', 'with --proxy: hosts reached directly (NO_PROXY syntax)'],
    ['--proxy-credentials-stdin', 'with --proxy: read user:password from standard input'],
    ['--keep-credentials', 'with --proxy: keep the user name and password already stored'],
  ],
  async run(context) {
    const { flags } = context;
    const chosen = (['auto', 'direct', 'pac', 'proxy'] as const).filter(
      (name) => flags[name] !== undefined && flags[name] !== false,
    );
    if (chosen.length !== 1) {
      throw new CompanionError(
        'USAGE_INVALID',
        'network set takes exactly one of --auto, --direct, --pac URL or --proxy URL.',
        {
          hint: 'Example: bdc-companion network set --proxy http://proxy.corp:3128 --no-proxy .corp',
        },
      );
    }
    const mode = chosen[0]!;
    if (
      mode !== 'proxy' &&
      (flags['no-proxy'] !== undefined ||
        flags['proxy-credentials-stdin'] ||
        flags['keep-credentials'])
    ) {
      throw new CompanionError(
        'USAGE_INVALID',
        '--no-proxy, --proxy-credentials-stdin and --keep-credentials go with --proxy URL.',
      );
    }
    let update: NetworkUpdate;
    if (mode === 'proxy') {
      let credentials: { username: string; password: string } | undefined;
      if (flags['proxy-credentials-stdin'] === true) {
        const text = (await readSecretFromStdin(context.io, 'proxy user:password')).replace(
          /\r?\n$/,
          '',
        );
        const colon = text.indexOf(':');
        if (colon <= 0) {
          throw new CompanionError(
            'PROXY_URL_INVALID',
            'The proxy credentials on standard input must be user:password on one line.',
          );
        }
        credentials = { username: text.slice(0, colon), password: text.slice(colon + 1) };
      }
      update = {
        proxy: {
          kind: 'manual',
          url: String(flags['proxy']),
          ...(typeof flags['no-proxy'] === 'string' ? { noProxy: flags['no-proxy'] } : {}),
          ...(credentials ?? {}),
          ...(flags['keep-credentials'] === true ? { keepCredentials: true } : {}),
        },
      };
    } else if (mode === 'pac') {
      update = { proxy: { kind: 'pac', url: String(flags['pac']) } };
    } else {
      update = { proxy: { kind: mode } };
    }
    const ports = openLocalPorts(context.home, context.io.env);
    try {
      await changeNetwork({
        settings: ports.settings,
        secretStore: () => ports.secretStore(),
        update,
      });
      context.logger.info('network setting changed', { proxy: update.proxy.kind });
      const network = await showHomeNetwork(ports);
      context.output.success({ network }, () => networkText(network));
    } finally {
      ports.close();
    }
  },
};
