import type { NetworkOverview, ProxySetting } from '../../common/models/network.js';

/** The setting in words, as `network show` prints it. */
export function settingWords(setting: ProxySetting): string {
  switch (setting.kind) {
    case 'auto':
      return 'auto (proxy variables when set, otherwise direct)';
    case 'direct':
      return 'direct (never a proxy)';
    case 'manual':
      return `proxy ${setting.url}${setting.credentials ? ' with a user name and password' : ''}${setting.noProxy === '' ? '' : `, bypass ${setting.noProxy}`}`;
    case 'pac':
      return `PAC file ${setting.url}`;
    default: {
      const unknown: never = setting;
      return String(unknown);
    }
  }
}

/** Human output of `network show` and `network set`. */
export function networkText(overview: NetworkOverview): string {
  const lines = [
    `proxy setting  ${settingWords(overview.setting)}`,
    `HTTPS_PROXY    ${overview.environment.httpsProxy ?? 'not set'}`,
    `NO_PROXY       ${overview.environment.noProxy ?? 'not set'}`,
  ];
  if (overview.installations.length === 0) {
    lines.push('', 'No installations yet: the route of each connection shows once one is added.');
  }
  for (const installation of overview.installations) {
    lines.push('', `${installation.name}`);
    for (const row of installation.routes) {
      const role =
        row.role === 'bdc' ? 'BDC' : row.role === 'platform' ? 'platform' : 'relay target';
      lines.push(
        `  ${role.padEnd(12)}  ${row.url}  ${row.error ? 'error: ' : ''}${row.description}`,
      );
    }
    if (installation.platformCa.length > 0) {
      lines.push(
        `  ${'platform CA'.padEnd(12)}  ${installation.platformCa.map((ca) => ca.subject).join('; ')}`,
      );
    }
  }
  return lines.join('\n');
}
