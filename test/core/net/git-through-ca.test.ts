import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import git from 'isomorphic-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoHttpClient } from '../../../core/git/iso-http.js';
import {
  gitConfigEnvironment,
  gitTlsConfigEntries,
  UNSAFE_GIT_TLS_VARIABLES,
  withoutUnsafeGitTlsVariables,
  writeTrustBundle,
} from '../../../core/net/git-tls.js';
import { createDispatcher } from '../../../core/net/network-factory.js';
import { startSimulator } from '../../../sim/index.js';
import type { RunningSimulator } from '../../../sim/simulator-api.js';

let sim: RunningSimulator;
let work: string;
let remote: string;

beforeAll(async () => {
  sim = await startSimulator({ platform: false });
  work = await mkdtemp(path.join(tmpdir(), 'git-ca-'));
  remote = `${sim.url}/scm/${sim.project.toLowerCase()}/${sim.repo}.git`;
});
afterAll(async () => {
  await sim.close();
  await rm(work, { recursive: true, force: true });
});

/**
 * What a careless machine hands a child process: a preset system bundle (which silently
 * outranks `http.sslCAInfo`), and every switch that would turn verification off.
 */
const hostileParent: Record<string, string> = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  GIT_SSL_CAINFO: '/etc/ssl/certs/ca-certificates.crt',
  // GIT_SSL_NO_VERIFY=1 and friends, exactly the list the product strips.
  ...Object.fromEntries(UNSAFE_GIT_TLS_VARIABLES.map((name) => [name, '1'])),
  GIT_CONFIG_PARAMETERS: "'http.sslverify'='false'",
};

function lsRemote(bundle: string): Promise<{ code: number; stderr: string; stdout: string }> {
  const env = {
    ...withoutUnsafeGitTlsVariables(hostileParent),
    HOME: work,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    // The CA as the product gives it to git: GIT_SSL_CAINFO plus the config entries, merged with
    // the caller's own entries into one GIT_CONFIG_COUNT list.
    GIT_SSL_CAINFO: bundle,
    ...gitConfigEnvironment([
      ...gitTlsConfigEntries(bundle),
      ['http.extraHeader', `Authorization: Bearer ${sim.pat}`],
    ]),
  };
  return new Promise((resolve) => {
    execFile('git', ['ls-remote', remote], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the git CLI reaches the simulator only through the pasted CA', () => {
  it('succeeds with the trust bundle that includes the CA', async () => {
    const bundle = await writeTrustBundle(path.join(work, 'tls'), [sim.caPem]);
    const run = await lsRemote(bundle);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main$/m);
  });

  it('accepts an intermediate alone, as the partial-chain choice does for Node', async () => {
    const bundle = await writeTrustBundle(path.join(work, 'tls'), [sim.intermediatePem]);
    const run = await lsRemote(bundle);
    expect(run.code).toBe(0);
  });

  it('fails certificate verification without it, even with the parent asking for no verification', async () => {
    const bundle = await writeTrustBundle(path.join(work, 'tls'), []);
    const run = await lsRemote(bundle);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      /SSL certificate problem|certificate verify failed|certificate verification failed/i,
    );
    // git used the product's bundle, not the preset system one.
    expect(run.stderr).not.toContain('/etc/ssl/certs/ca-certificates.crt');
  });
});

describe('isomorphic-git reaches the simulator only through the pasted CA', () => {
  async function listRefs(caPems: readonly string[]): Promise<unknown> {
    const dispatcher = createDispatcher({
      addressPolicy: 'instance',
      allowLoopback: true,
      caPems,
      env: {},
    });
    try {
      return await git.listServerRefs({
        http: isoHttpClient(dispatcher),
        url: remote,
        headers: { Authorization: `Bearer ${sim.pat}` },
      });
    } finally {
      await dispatcher.close();
    }
  }

  it('lists refs with the CA', async () => {
    const refs = (await listRefs([sim.caPem])) as { ref: string; oid: string }[];
    expect(refs.map((ref) => ref.ref)).toContain('refs/heads/main');
  });

  it('is refused without it, and switching Node-wide verification off changes nothing', async () => {
    const name = 'NODE_TLS_REJECT_UNAUTHORIZED';
    const previous = process.env[name];
    const env = process.env;
    // Set the way a user's shell would; the factory's explicit verification must win.
    Reflect.set(env, name, '0');
    try {
      const error = await listRefs([]).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(Error);
      const causes: string[] = [];
      let current: unknown = error;
      while (current !== undefined && current !== null) {
        causes.push(String((current as { code?: unknown }).code ?? ''));
        current = (current as { cause?: unknown }).cause;
      }
      expect(causes).toContain('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    } finally {
      if (previous === undefined) Reflect.deleteProperty(env, name);
      else Reflect.set(env, name, previous);
    }
  });
});
