import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  gitConfigEnvironment,
  gitTlsConfigEntries,
  gitTlsEnvironment,
  UNSAFE_GIT_TLS_VARIABLES,
  withoutUnsafeGitTlsVariables,
  writeTrustBundle,
} from '../../../core/net/git-tls.js';
import { tlsEnvironmentNotes } from '../../../core/net/tls-environment.js';
import { makeCert } from './test-pki.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'git-tls-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('writeTrustBundle', () => {
  it('writes runtime roots plus the pasted CA into one 0600 file', async () => {
    const ca = makeCert({ commonName: 'Bundle Root', ca: true });
    const file = await writeTrustBundle(path.join(directory, 'tls'), [ca.certPem]);
    const content = await readFile(file, 'utf8');
    expect(content).toContain(ca.certPem.trim());
    expect(content).toContain(tls.rootCertificates[0]!.trim());
    const blocks = content.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
    expect(blocks.length).toBe(tls.rootCertificates.length + 1);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // Same content, same file; different CA set, different file.
    expect(await writeTrustBundle(path.join(directory, 'tls'), [ca.certPem])).toBe(file);
    expect(await writeTrustBundle(path.join(directory, 'tls'), [])).not.toBe(file);
  });

  it('reports an unwritable directory with its own code', async () => {
    const blocker = path.join(directory, 'file');
    await writeTrustBundle(directory, []);
    await import('node:fs/promises').then((fs) => fs.writeFile(blocker, 'x'));
    await expect(writeTrustBundle(path.join(blocker, 'sub'), [])).rejects.toMatchObject({
      code: 'TRUST_BUNDLE_WRITE_FAILED',
    });
  });
});

describe('git TLS environment', () => {
  it('sets GIT_SSL_CAINFO, which outranks every http.sslCAInfo, and keeps verification on', () => {
    expect(gitTlsEnvironment('/x/ca.pem')).toEqual({
      GIT_SSL_CAINFO: '/x/ca.pem',
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'http.sslCAInfo',
      GIT_CONFIG_VALUE_0: '/x/ca.pem',
      GIT_CONFIG_KEY_1: 'http.sslVerify',
      GIT_CONFIG_VALUE_1: 'true',
    });
  });

  it('numbers merged entries from one list', () => {
    const env = gitConfigEnvironment([
      ...gitTlsConfigEntries('/b.pem'),
      ['http.extraHeader', 'X-Test: 1'],
    ]);
    expect(env['GIT_CONFIG_COUNT']).toBe('3');
    expect(env['GIT_CONFIG_KEY_2']).toBe('http.extraHeader');
  });

  it('drops inherited variables that would switch verification off', () => {
    const inherited = Object.fromEntries(UNSAFE_GIT_TLS_VARIABLES.map((name) => [name, '1']));
    expect(Object.keys(inherited)).toContain('GIT_SSL_NO_VERIFY');
    const clean = withoutUnsafeGitTlsVariables({ PATH: '/bin', ...inherited, HOME: undefined });
    expect(clean).toEqual({ PATH: '/bin' });
  });
});

describe('tlsEnvironmentNotes', () => {
  it('names the TLS workarounds the companion ignores', () => {
    const notes = tlsEnvironmentNotes({
      NODE_TLS_REJECT_UNAUTHORIZED: '0',
      NODE_EXTRA_CA_CERTS: '/x.pem',
      PATH: '/bin',
    });
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain('always verifies');
    expect(tlsEnvironmentNotes({ NODE_TLS_REJECT_UNAUTHORIZED: '1' })).toEqual([]);
  });
});
