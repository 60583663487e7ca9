import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderLaunchdPlist } from '../../../core/service-unit/launchd-plist.js';
import { shellWord } from '../../../core/service-unit/shell-word.js';
import { renderSystemdUnit } from '../../../core/service-unit/systemd-unit.js';

/** What a real POSIX shell makes of a command line: its argument list, nothing run. */
function shellArguments(line: string): string[] {
  const result = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout.split('\0').slice(0, -1);
}

const hostile = "/srv/it's here $(touch /tmp/pwned) `id`;rm -rf x";

describe('commands quoted in service comments', () => {
  it('keep any path one argument for a real shell', () => {
    for (const value of [hostile, '/plain/path', 'a b', '', "'", '$HOME', '*']) {
      expect(shellArguments(shellWord(value))).toEqual([value]);
    }
    expect(shellWord('/var/lib/bdc-companion')).toBe('/var/lib/bdc-companion');
  });

  // Regression (issue 15, "Also"): the install commands in the unit's comments put the config
  // home and credentials folder in unquoted, so pasting them ran whatever the path contained.
  it('in the systemd unit and the launchd plist, every pasted command line parses back to its paths', () => {
    const unit = renderSystemdUnit({
      installationName: 'prod',
      home: hostile,
      nodePath: '/usr/bin/node',
      binPath: '/opt/bdc/bin/bdc-companion.js',
      user: 'bdc-companion',
      group: 'bdc-companion',
      secretStore: 'credentials-dir',
      credentialsSource: '/etc/my creds',
      listenPort: 8787,
      proxy: { httpsProxy: '', httpProxy: '', noProxy: '' },
      caCounts: { bdc: 0, platform: 0 },
      logLevel: 'info',
      companionVersion: 't',
      extraCredentials: [],
    });
    const commands = unit
      .split('\n')
      .filter((line) => line.startsWith('#   sudo install'))
      .map((line) => line.slice('#   '.length));
    expect(commands).toHaveLength(2);
    expect(shellArguments(commands[0] as string).slice(-1)).toEqual([hostile]);
    expect(shellArguments(commands[1] as string).slice(-1)).toEqual(['/etc/my creds']);
    const useradd = unit.split('\n').find((line) => line.startsWith('#   sudo useradd')) ?? '';
    expect(shellArguments(useradd.slice(4))).toContain(hostile);
    const plist = renderLaunchdPlist({
      installationName: 'a.b',
      home: '/srv/x',
      nodePath: '/usr/bin/node',
      binPath: '/opt/x.js',
      user: 'relay',
      credentialsSource: '/etc/c',
      proxy: { httpsProxy: '', httpProxy: '', noProxy: '' },
      logLevel: 'debug',
      companionVersion: 'v1',
    });
    const bootstrap = plist.split('\n').find((line) => line.includes('launchctl bootstrap')) ?? '';
    expect(shellArguments(bootstrap.trim().replace(/^sudo /, ''))).toEqual([
      'launchctl',
      'bootstrap',
      'system',
      '/Library/LaunchDaemons/io.ankra.bdc-companion.relay.a.b.plist',
    ]);
  });
});
