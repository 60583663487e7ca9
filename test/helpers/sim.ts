import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { startSimulator, type StartOptions } from '../../sim/index.js';
import type { RunningSimulator } from '../../sim/simulator-api.js';

export type { RunningSimulator };

/**
 * Starts the simulator for a test file. Call once per file (beforeAll) and close in afterAll:
 * PKI generation and the ready repository take a few hundred milliseconds.
 */
export async function startTestSimulator(options: StartOptions = {}): Promise<RunningSimulator> {
  return startSimulator(options);
}

/** An undici dispatcher that trusts only the given CA (never the system store). */
export function trustingAgent(caPem: string): Agent {
  return new Agent({ connect: { ca: caPem } });
}

/**
 * Environment for running the real git CLI against the simulator: trusts only the simulator's
 * root CA and sends `Authorization: Bearer` through GIT_CONFIG_COUNT (never argv). The host's
 * GIT_SSL_CAINFO and user config are dropped, because they override `http.sslCAInfo`.
 */
export function gitEnv(
  sim: { readonly caFile: string },
  token?: string,
  extra: Readonly<Record<string, string>> = {},
): NodeJS.ProcessEnv {
  const config: [string, string][] = [
    ['http.sslCAInfo', sim.caFile],
    ['user.name', 'Test User'],
    ['user.email', 'test@example.com'],
    ['init.defaultBranch', 'main'],
  ];
  if (token !== undefined) config.push(['http.extraHeader', `Authorization: Bearer ${token}`]);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_COUNT: String(config.length),
    ...extra,
  };
  config.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

export interface GitRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs git and resolves with its exit code and output (never rejects on a non-zero exit). */
export function git(
  args: readonly string[],
  options: { readonly cwd?: string; readonly env: NodeJS.ProcessEnv },
): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      { cwd: options.cwd, env: options.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/** A temp folder removed by the returned cleanup. */
export async function tempDir(
  prefix = 'sim-test-',
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface SimResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * One HTTPS request to the simulator with undici, trusting only the simulator's root CA.
 * `path` is appended to `sim.url` (which carries the context path).
 */
export async function simRequest(
  sim: { readonly url: string; readonly caPem: string },
  path: string,
  options: {
    readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
    readonly bearer?: string;
    readonly basic?: readonly [string, string];
    readonly body?: unknown;
    readonly headers?: Readonly<Record<string, string>>;
    readonly agent?: Agent;
  } = {},
): Promise<SimResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.bearer !== undefined) headers['authorization'] = `Bearer ${options.bearer}`;
  if (options.basic !== undefined) {
    headers['authorization'] =
      `Basic ${Buffer.from(`${options.basic[0]}:${options.basic[1]}`).toString('base64')}`;
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const agent = options.agent ?? trustingAgent(sim.caPem);
  try {
    const response = await request(`${sim.url}${path}`, {
      method: options.method ?? 'GET',
      headers,
      ...(body === undefined ? {} : { body }),
      dispatcher: agent,
    });
    const text = await response.body.text();
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return {
      status: response.statusCode,
      headers: flat,
      text,
      json: <T>() => JSON.parse(text) as T,
    };
  } finally {
    if (!options.agent) await agent.close();
  }
}
