import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closeLogFiles,
  createLogger,
  listLogFiles,
  logDirectory,
  MAX_LOG_STRING,
} from '../../../core/logging/file-logger.js';
import { processStartTime } from '../../../core/io/lock-file.js';
import { Redactor, REDACTED } from '../../../core/logging/redact.js';
import { runCliInProcess } from '../../helpers/cli-harness.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'logger-'));
});
afterEach(() => {
  closeLogFiles();
  rmSync(home, { recursive: true, force: true });
});

interface LogLine {
  time: string;
  level: string;
  component: string;
  message: string;
  fields?: Record<string, unknown>;
}

function lines(file = join(logDirectory(home), 'companion.log')): LogLine[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LogLine);
}

describe('file logger', () => {
  it('writes one JSON object per line with time, level, component, message and fields', () => {
    const clock = () => new Date('2026-11-28T10:00:00.000Z');
    const logger = createLogger({ home, level: 'info', component: 'relay', clock });
    logger.info('delivery stored', { id: 7 });
    logger.child({ installation: 'prod' }).warn('platform slow', { ms: 900 });
    expect(lines()).toEqual([
      {
        time: '2026-11-28T10:00:00.000Z',
        level: 'info',
        component: 'relay',
        message: 'delivery stored',
        fields: { id: 7 },
      },
      {
        time: '2026-11-28T10:00:00.000Z',
        level: 'warn',
        component: 'relay',
        message: 'platform slow',
        fields: { installation: 'prod', ms: 900 },
      },
    ]);
  });

  it('filters by level and creates nothing until a line passes', () => {
    const logger = createLogger({ home, level: 'warn', component: 'cli' });
    logger.info('hidden');
    logger.debug('hidden');
    expect(existsSync(logDirectory(home))).toBe(false);
    logger.error('shown');
    expect(lines().map((line) => line.message)).toEqual(['shown']);
    expect(statSync(join(logDirectory(home), 'companion.log')).mode & 0o777).toBe(0o600);
    expect(statSync(logDirectory(home)).mode & 0o777).toBe(0o700);
  });

  it('passes message and fields through the redactor', () => {
    const redactor = new Redactor();
    redactor.register('pat-value-0123456789');
    const logger = createLogger({ home, level: 'debug', component: 'auth', redactor });
    logger.debug('using pat-value-0123456789 with Authorization: Bearer abcdefghij123', {
      headers: { authorization: 'Bearer zzz' },
      url: 'https://bdc/x?token=leak1234',
      note: 'pat-value-0123456789',
    });
    const text = readFileSync(join(logDirectory(home), 'companion.log'), 'utf8');
    expect(text).not.toContain('pat-value-0123456789');
    expect(text).not.toContain('abcdefghij123');
    expect(text).not.toContain('zzz');
    expect(text).not.toContain('leak1234');
    expect(text).toContain(REDACTED);
  });

  it('rotates by size and keeps only the configured generations', () => {
    const logger = createLogger({
      home,
      level: 'info',
      component: 'relay',
      maxBytes: 1000,
      generations: 2,
    });
    for (let i = 0; i < 60; i += 1) logger.info(`line ${i}`, { padding: 'x'.repeat(40) });
    const files = listLogFiles(home);
    expect(files.map((file) => file.slice(logDirectory(home).length + 1))).toEqual([
      'companion.log',
      'companion.log.1',
      'companion.log.2',
    ]);
    for (const file of files) expect(statSync(file).size).toBeLessThanOrEqual(1000);
    // Newest lines in the current file, continuous across generations, oldest dropped.
    const all = [...files].reverse().flatMap((file) => lines(file).map((line) => line.message));
    expect(all.at(-1)).toBe('line 59');
    const first = Number((all[0] as string).split(' ')[1]);
    expect(first).toBeGreaterThan(0);
    expect(all).toEqual(Array.from({ length: 60 - first }, (_, i) => `line ${first + i}`));
  });

  it('leaves rotation to the process holding the rotation lock, and takes over a stale lock', () => {
    const write = (count: number) => {
      const logger = createLogger({ home, level: 'info', component: 'x', maxBytes: 1000 });
      for (let i = 0; i < count; i += 1) logger.info(`line ${i}`, { padding: 'x'.repeat(40) });
      closeLogFiles();
    };
    const lock = join(logDirectory(home), 'companion.log.rotating');
    mkdirSync(logDirectory(home), { recursive: true });
    // Another live process "is rotating" (this test process stands in for it: same host, alive).
    const owner = {
      pid: process.pid,
      host: hostname(),
      started: processStartTime(process.pid),
      token: 'other-writer',
      at: new Date().toISOString(),
    };
    writeFileSync(lock, JSON.stringify(owner));
    write(30);
    // This one appends and never rotates under it.
    expect(listLogFiles(home)).toHaveLength(1);
    // A lock whose owner has died (here: an exited process's pid) is taken over at once.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(lock, JSON.stringify({ ...owner, pid: Number(dead.stdout), started: null }));
    closeLogFiles();
    write(30);
    expect(listLogFiles(home).length).toBeGreaterThan(1);
    expect(existsSync(lock)).toBe(false);
  });

  it('shares one file between loggers of different components in a process', () => {
    createLogger({ home, level: 'info', component: 'a' }).info('one');
    createLogger({ home, level: 'info', component: 'b' }).info('two');
    expect(lines().map((line) => line.component)).toEqual(['a', 'b']);
  });

  it('cuts huge strings and never throws when the home is unwritable', () => {
    const logger = createLogger({ home, level: 'info', component: 'x' });
    logger.info('big', { body: 'y'.repeat(MAX_LOG_STRING * 2) });
    expect(String(lines()[0]?.fields?.['body']).length).toBeLessThan(MAX_LOG_STRING + 100);
    // A home that is a regular file: the logs directory cannot be created under it.
    const notADirectory = join(home, 'plain-file');
    writeFileSync(notADirectory, '');
    const blocked = createLogger({ home: notADirectory, level: 'info', component: 'x' });
    expect(() => blocked.error('nowhere to go')).not.toThrow();
  });

  it('mirrors the same redacted line to a second stream when asked', () => {
    let mirrored = '';
    const logger = createLogger({
      home,
      level: 'info',
      component: 'relay',
      mirror: { write: (text: string) => (mirrored += text) },
    });
    logger.info('hello', { password: 'pw-secret' });
    expect(mirrored).toBe(readFileSync(join(logDirectory(home), 'companion.log'), 'utf8'));
    expect(mirrored).not.toContain('pw-secret');
  });
});

describe('CLI wiring', () => {
  it('--log-level debug logs the command to <home>/logs; the default level writes nothing for a plain run', async () => {
    expect((await runCliInProcess(['--home', home, 'explain', 'USAGE_INVALID'])).code).toBe(0);
    expect(existsSync(logDirectory(home))).toBe(false);
    const run = await runCliInProcess([
      '--home',
      home,
      '--log-level',
      'debug',
      'explain',
      'NO_SUCH_CODE',
    ]);
    expect(run.code).toBe(1);
    const logged = lines();
    expect(logged.map((line) => line.message)).toEqual(['command started', 'command failed']);
    expect(logged[0]).toMatchObject({
      level: 'debug',
      component: 'cli',
      fields: { command: 'explain' },
    });
    expect(logged[1]?.fields?.['code']).toBe('INPUT_INVALID');
  });

  it('BDC_COMPANION_LOG_STDERR=1 mirrors log lines to stderr', async () => {
    const run = await runCliInProcess(['--log-level', 'debug', 'explain', 'USAGE_INVALID'], {
      env: { BDC_COMPANION_HOME: home, BDC_COMPANION_LOG_STDERR: '1' },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stderr.trim().split('\n')[0] as string)).toMatchObject({
      message: 'command started',
    });
  });
});

describe('two processes writing one log', () => {
  it('rotates each full file exactly once while both append, losing and repeating no line', async () => {
    const { spawn } = await import('node:child_process');
    const { repoRoot } = await import('../../helpers/cli-harness.js');
    const maxBytes = 4000;
    const linesPerWriter = 800;
    // Generations enough to keep everything, so a lost line or a doubled rotation shows.
    const script = [
      `import { createLogger } from ${JSON.stringify(join(repoRoot, 'core/logging/file-logger.ts'))};`,
      `const logger = createLogger({ home: process.env.LOG_HOME, level: 'info', component: process.env.WHO, maxBytes: ${maxBytes}, generations: 200 });`,
      `for (let i = 0; i < ${linesPerWriter}; i += 1) logger.info('line ' + i, { pad: 'p'.repeat(30) });`,
    ].join('\n');
    const run = (who: string) =>
      new Promise<number>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script],
          {
            cwd: repoRoot,
            env: { ...process.env, LOG_HOME: home, WHO: who },
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        );
        child.on('error', reject);
        child.on('close', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([run('a'), run('b')])).toEqual([0, 0]);
    const files = listLogFiles(home);
    // 1,600 lines of ~120 bytes in 4 kB files: dozens of rotations, many of them contended.
    expect(files.length).toBeGreaterThan(30);
    const seen: string[] = [];
    for (const [index, file] of files.entries()) {
      const size = statSync(file).size;
      // At most a line or two over the limit, from two writers appending at the same instant.
      expect(size, file).toBeLessThanOrEqual(maxBytes + 2 * 200);
      // Rotated when full, and only once: two processes rotating the same file would turn the
      // new, nearly empty file into a generation of its own.
      if (index > 0) expect(size, file).toBeGreaterThan(maxBytes - 2 * 200);
      // lines() parses every line, so each one is whole.
      for (const line of lines(file)) seen.push(`${line.component} ${line.message}`);
    }
    const expected = ['a', 'b'].flatMap((who) =>
      Array.from({ length: linesPerWriter }, (_, i) => `${who} line ${i}`),
    );
    expect(seen.sort()).toEqual(expected.sort());
  });
});
