import { CompanionError } from '../../common/errors/companion-error.js';
import type { ProxySettings } from '../net/proxy-settings.js';
import type { RelayTlsFiles } from '../../common/models/installation.js';
import { shellWord } from './shell-word.js';
import { unitProxyEnvironment } from './unit-proxy-environment.js';

/** The headless secret stores a service can use (the OS keychain needs a desktop session). */
export type ServiceSecretStore = 'credentials-dir' | 'encrypted-file';

export const DEFAULT_SERVICE_USER = 'bdc-companion';
export const DEFAULT_CREDENTIALS_SOURCE = '/etc/bdc-companion/credentials';
/** The passphrase credential of the encrypted-file store, as named inside `$CREDENTIALS_DIRECTORY`. */
export const PASSPHRASE_CREDENTIAL = 'secrets-passphrase';

export interface SystemdUnitSpec {
  readonly installationName: string;
  /** The config home the relay reads (settings, CA certificates, database, logs). */
  readonly home: string;
  readonly nodePath: string;
  readonly binPath: string;
  readonly user: string;
  readonly group: string;
  readonly secretStore: ServiceSecretStore;
  /** The host folder holding the credential files that `LoadCredential=` hands to the service. */
  readonly credentialsSource: string;
  /** Where the relay listens (`host:port`), to grant the bind capability for ports below 1024 only. */
  readonly listenPort: number;
  readonly proxy: ProxySettings;
  /** How many private CA certificates the installation trusts, per side (they live in the home's settings). */
  readonly caCounts: { readonly bdc: number; readonly platform: number };
  readonly logLevel: 'error' | 'warn' | 'info' | 'debug';
  readonly companionVersion: string;
  /** The relay's HTTPS certificate and key files, when it serves BDC over HTTPS. */
  readonly relayTls?: RelayTlsFiles;
  /**
   * Secrets the daemon needs besides the webhook secret: the bridge token when the bridge is
   * configured, the PAT when the bridge or watch mode reads BDC. Only these get a
   * `LoadCredential=` line: systemd refuses to start a unit whose credential file is missing, so a
   * relay-only installation must not be made to need files it never uses.
   */
  readonly extraCredentials: readonly ('bridge-token' | 'pat')[];
}

/** Which secrets the daemon of an installation reads, besides the webhook secret. */
export function daemonCredentials(installation: {
  readonly bridge?: unknown;
  readonly relay: { readonly watch?: unknown };
}): readonly ('bridge-token' | 'pat')[] {
  const bridge = installation.bridge !== undefined;
  const readsBdc = bridge || installation.relay.watch !== undefined;
  return [...(bridge ? (['bridge-token'] as const) : []), ...(readsBdc ? (['pat'] as const) : [])];
}

export function systemdUnitName(installationName: string): string {
  return `bdc-companion-relay-${installationName}.service`;
}

/** The per-unit environment file for values that must not be in a world-readable unit (proxy credentials). */
export function environmentFilePath(installationName: string): string {
  return `/etc/bdc-companion/relay-${installationName}.env`;
}

function refuseControlCharacters(value: string, what: string): string {
  if ([...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) {
    throw new CompanionError('INPUT_INVALID', `The ${what} contains a control character.`);
  }
  return value;
}

/**
 * Quotes one word for a unit file: `%` starts a specifier (`%%` is a literal), `\` and `"` are
 * escaped inside double quotes, and `$` is doubled where the line expands variables (ExecStart).
 */
export function quoteUnitWord(value: string, options: { expandsVariables?: boolean } = {}): string {
  let escaped = refuseControlCharacters(value, 'unit file value').replace(/%/g, '%%');
  if (options.expandsVariables) escaped = escaped.replace(/\$/g, '$$$$');
  const needsQuotes = /[\s"'\\;]/.test(escaped) || escaped === '';
  if (!needsQuotes) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function absolute(path: string, what: string): string {
  if (!path.startsWith('/')) {
    throw new CompanionError(
      'INPUT_INVALID',
      `The ${what} must be an absolute path, not "${path}".`,
    );
  }
  return refuseControlCharacters(path, what);
}

/** POSIX-portable account names, as useradd accepts them. */
function accountName(value: string, what: string): string {
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(value)) {
    throw new CompanionError(
      'INPUT_INVALID',
      `The service ${what} "${value.slice(0, 40)}" is not a valid account name (lower case letters, digits, _ and -).`,
    );
  }
  return value;
}

/** Homes under these are hidden by `ProtectHome=yes`; the unit then makes them read-only instead. */
function isUnderUserHomes(path: string): boolean {
  return ['/home/', '/root/', '/run/user/'].some((prefix) => `${path}/`.startsWith(prefix));
}

/**
 * A systemd unit running the daemon `run <name>` (relay and bridge) unattended: restarted on failure, secrets handed in
 * through `LoadCredential=` (read from `$CREDENTIALS_DIRECTORY` by the credentials-dir store, or the
 * encrypted-file store's passphrase), proxy settings carried, and the process confined to what a
 * relay needs — its config home writable, the network, nothing else.
 */
export function renderSystemdUnit(spec: SystemdUnitSpec): string {
  const home = absolute(spec.home, 'config home');
  const nodePath = absolute(spec.nodePath, 'node path');
  const binPath = absolute(spec.binPath, 'companion bin path');
  const credentialsSource = absolute(spec.credentialsSource, 'credentials folder');
  const name = spec.installationName;
  const user = accountName(spec.user, 'user');
  const group = accountName(spec.group, 'group');

  // Rendered words: values are quoted here, so `%d` (the credentials folder) stays a specifier.
  const environment: string[] = [
    quoteUnitWord(`BDC_COMPANION_HOME=${home}`),
    quoteUnitWord(`BDC_COMPANION_SECRET_STORE=${spec.secretStore}`),
  ];
  const credentials: string[] = [];
  const notes: string[] = [];
  if (spec.secretStore === 'credentials-dir') {
    const kinds = ['webhook-secret', ...spec.extraCredentials];
    for (const kind of kinds) {
      const entry = `${name}.${kind}`;
      credentials.push(quoteUnitWord(`${entry}:${credentialsSource}/${entry}`));
    }
    const what: Record<string, string> = {
      'webhook-secret': 'the webhook secret',
      'bridge-token': "the platform's bridge token",
      pat: 'the BDC access token',
    };
    notes.push(
      `# Secrets of "${name}", one file each (owner root, mode 0600):`,
      ...kinds.map(
        (kind) => `#   ${what[kind]} in ${shellWord(`${credentialsSource}/${name}.${kind}`)}`,
      ),
      '# systemd copies them into $CREDENTIALS_DIRECTORY for this service only; the companion',
      '# reads them there and never writes them. systemd does not start the unit while one is',
      '# missing. Rotate by replacing the file (and the secret in BDC or the platform), then:',
      `#   sudo systemctl restart ${shellWord(systemdUnitName(name))}`,
      ...(spec.extraCredentials.includes('bridge-token')
        ? []
        : [
            '# The platform bridge is not configured for this installation, so its token is not',
            '# loaded: set its policy with `bdc-companion bridge policy` and print the unit again.',
          ]),
    );
  } else {
    credentials.push(
      quoteUnitWord(`${PASSPHRASE_CREDENTIAL}:${credentialsSource}/${PASSPHRASE_CREDENTIAL}`),
    );
    environment.push(`BDC_COMPANION_SECRETS_PASSPHRASE_FILE=%d/${PASSPHRASE_CREDENTIAL}`);
    notes.push(
      `# Secrets: in the encrypted file ${home}/secrets.enc; its passphrase goes in`,
      `# ${credentialsSource}/${PASSPHRASE_CREDENTIAL} (owner root, mode 0600), handed to this service`,
      '# only through $CREDENTIALS_DIRECTORY.',
    );
  }

  const proxy = unitProxyEnvironment(spec.proxy);
  for (const [variable, value] of proxy.written) {
    environment.push(quoteUnitWord(`${variable}=${refuseControlCharacters(value, variable)}`));
  }
  if (proxy.leftOut) {
    notes.push(
      `# Proxy: the proxy URL carries credentials, so it is not written here. Put`,
      `# HTTPS_PROXY=… (and HTTP_PROXY=…) in ${environmentFilePath(name)} (owner root, mode 0600).`,
    );
  }
  if (isUnderUserHomes(home) || `${home}/`.startsWith('/tmp/')) {
    notes.push(
      `# Note: ${home} is a personal or temporary folder. A system service should have its own`,
      '# config home: set it up with `--home /var/lib/bdc-companion` and print the unit from there.',
    );
  }
  notes.push(
    `# TLS: the installation's private CAs (${spec.caCounts.bdc} for BDC, ${spec.caCounts.platform} for the platform)`,
    `# are read from the settings in ${home}; NODE_EXTRA_CA_CERTS is not used, and TLS`,
    '# verification is never turned off.',
  );

  if (spec.relayTls !== undefined) {
    const certFile = refuseControlCharacters(spec.relayTls.certFile, 'relay certificate path');
    const keyFile = refuseControlCharacters(spec.relayTls.keyFile, 'relay key path');
    notes.push(
      `# Relay HTTPS: ${certFile} and ${keyFile} are read at every`,
      `# start (restart after renewing them); ${user} must be able to read both.`,
    );
    // PrivateTmp hides /tmp always; ProtectHome=yes hides the user homes unless the config home
    // is in one (then they are read-only, still readable).
    const hidden = [certFile, keyFile].filter(
      (file) =>
        `${file}/`.startsWith('/tmp/') || (isUnderUserHomes(file) && !isUnderUserHomes(home)),
    );
    if (hidden.length > 0) {
      notes.push(
        `# Warning: ${hidden.join(' and ')} cannot be read under ProtectHome=yes / PrivateTmp=yes;`,
        '# move them, e.g. to /etc/bdc-companion/, and run `installation update` with the new paths.',
      );
    }
  }

  const lowPort = spec.listenPort > 0 && spec.listenPort < 1024;
  const execStart = [nodePath, binPath, 'run', name, '--log-level', spec.logLevel]
    .map((word) => quoteUnitWord(word, { expandsVariables: true }))
    .join(' ');

  const lines = [
    `# ${systemdUnitName(name)} — generated by \`bdc-companion service install ${name} --print\``,
    `# (companion ${spec.companionVersion}). Install it with:`,
    // The commands are quoted for the shell: the admin pastes them as they are.
    `#   sudo useradd --system --home-dir ${shellWord(home)} --shell /usr/sbin/nologin ${user}`,
    `#   sudo install -d -o ${user} -g ${group} -m 0700 ${shellWord(home)}`,
    `#   sudo install -d -m 0700 ${shellWord(credentialsSource)}`,
    `#   bdc-companion service install ${shellWord(name)} --print | sudo tee ${shellWord(`/etc/systemd/system/${systemdUnitName(name)}`)}`,
    `#   sudo systemctl daemon-reload && sudo systemctl enable --now ${shellWord(systemdUnitName(name))}`,
    ...notes,
    '',
    '[Unit]',
    `Description=Ankra BDC Companion webhook relay (${name})`,
    'After=network-online.target',
    'Wants=network-online.target',
    // Five failed starts in five minutes stop the restarts, so a broken config does not spin.
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=exec',
    `User=${user}`,
    `Group=${group}`,
    `ExecStart=${execStart}`,
    ...environment.map((entry) => `Environment=${entry}`),
    ...(proxy.leftOut ? [`EnvironmentFile=-${quoteUnitWord(environmentFilePath(name))}`] : []),
    ...credentials.map((entry) => `LoadCredential=${entry}`),
    // SIGTERM lets the relay finish in-flight acknowledgements; every acknowledged delivery is on disk.
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30s',
    'Restart=on-failure',
    'RestartSec=5s',
    '',
    '# Confinement: the config home is the only writable place; no privileges, no devices.',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    `ProtectHome=${isUnderUserHomes(home) ? 'read-only' : 'yes'}`,
    `ReadWritePaths=${quoteUnitWord(home)}`,
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'ProtectProc=invisible',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    // Not MemoryDenyWriteExecute: V8's JIT needs writable executable memory.
    'SystemCallArchitectures=native',
    'SystemCallFilter=@system-service',
    'SystemCallErrorNumber=EPERM',
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX',
    `CapabilityBoundingSet=${lowPort ? 'CAP_NET_BIND_SERVICE' : ''}`,
    `AmbientCapabilities=${lowPort ? 'CAP_NET_BIND_SERVICE' : ''}`,
    'UMask=0077',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return lines.join('\n');
}
