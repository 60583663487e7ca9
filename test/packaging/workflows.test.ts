import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { repoRoot } from '../helpers/cli-harness.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  shell?: string;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  strategy?: { matrix: { include: Record<string, string>[] } };
  env?: Record<string, string>;
  steps: Step[];
  container?: string;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflowDir = join(repoRoot, '.github/workflows');

/** actionlint is not available here; this checks what it would catch that matters most to us. */
function load(file: string): Workflow {
  const document = parseDocument(readFileSync(join(workflowDir, file), 'utf8'), {
    uniqueKeys: true,
    strict: true,
  });
  expect(document.errors.map(String)).toEqual([]);
  return document.toJS() as Workflow;
}

const STEP_KEYS = new Set([
  'id',
  'name',
  'uses',
  'run',
  'if',
  'with',
  'env',
  'shell',
  'working-directory',
  'continue-on-error',
  'timeout-minutes',
]);
const JOB_KEYS = new Set([
  'name',
  'runs-on',
  'needs',
  'if',
  'strategy',
  'env',
  'steps',
  'permissions',
  'timeout-minutes',
  'container',
  'services',
  'outputs',
  'concurrency',
  'defaults',
  'environment',
  'continue-on-error',
]);
const CONTEXTS = [
  'github',
  'env',
  'vars',
  'secrets',
  'matrix',
  'runner',
  'steps',
  'needs',
  'job',
  'inputs',
  'strategy',
];

function expressions(text: string): string[] {
  return [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((match) => (match[1] as string).trim());
}

describe.each(readdirSync(workflowDir).filter((file) => /\.ya?ml$/.test(file)))(
  'workflow %s',
  (file) => {
    const workflow = load(file);
    const text = readFileSync(join(workflowDir, file), 'utf8');

    it('has a name, triggers, least-privilege permissions and well-formed jobs', () => {
      expect(typeof workflow.name).toBe('string');
      expect(Object.keys(workflow.on).length).toBeGreaterThan(0);
      expect(workflow.permissions).toEqual({ contents: 'read' });
      for (const [id, job] of Object.entries(workflow.jobs)) {
        expect(id).toMatch(/^[a-z][a-z0-9_-]*$/);
        for (const key of Object.keys(job)) expect(JOB_KEYS, `${id}.${key}`).toContain(key);
        expect(job['runs-on']).toBeTruthy();
        for (const need of [job.needs ?? []].flat())
          expect(Object.keys(workflow.jobs)).toContain(need);
        expect(job.steps.length).toBeGreaterThan(0);
        for (const step of job.steps) {
          for (const key of Object.keys(step)) expect(STEP_KEYS, `${id}: ${key}`).toContain(key);
          expect(
            Number(step.uses !== undefined) + Number(step.run !== undefined),
            JSON.stringify(step),
          ).toBe(1);
          if (step.uses) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+(\/[\w-]+)*@v\d+$/);
        }
      }
    });

    it('uses only known contexts in expressions, balanced, and never force-pushes', () => {
      expect(text.split('${{').length).toBe(text.split('}}').length);
      for (const expression of expressions(text)) {
        const roots = [...expression.matchAll(/(?<![\w.'-])([a-z_]+)\.[\w-]/g)].map(
          (match) => match[1],
        );
        for (const root of roots) expect(CONTEXTS, expression).toContain(root);
      }
      expect(text).not.toMatch(/--force|push\s+-f\b|\+refs\//);
    });

    it('keeps secrets out of command lines: they reach steps through env only', () => {
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps) {
          expect(step.run ?? '', step.name).not.toMatch(/secrets\./);
          expect(JSON.stringify(step.with ?? {}), step.name).not.toMatch(/secrets\./);
        }
      }
    });
  },
);

describe('release workflow', () => {
  const workflow = load('release.yml');
  const installers = workflow.jobs['installers'] as Job;

  it('runs on version tags and on demand', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*'] }, workflow_dispatch: null });
  });

  it('builds on Linux, macOS and Windows with electron-builder for the matching platform', () => {
    const matrix = installers.strategy?.matrix.include ?? [];
    expect(matrix.map((entry) => [entry['os']?.split('-')[0], entry['platform']])).toEqual([
      ['ubuntu', 'linux'],
      ['macos', 'mac'],
      ['windows', 'win'],
    ]);
    expect(installers['runs-on']).toBe('${{ matrix.os }}');
    const runs = installers.steps.map((step) => step.run ?? '').join('\n');
    expect(runs).toContain('npm run build');
    expect(runs).toContain('npx electron-builder --${{ matrix.platform }} --publish never');
    expect(runs).toMatch(/@electron\/fuses@[\d.]+ read/);
  });

  it('signs where the secrets exist and turns identity discovery off where they do not', () => {
    const packageStep = installers.steps.find((step) => step.name === 'Package') as Step;
    expect(Object.keys(packageStep.env ?? {})).toEqual(
      expect.arrayContaining([
        'CSC_LINK',
        'CSC_KEY_PASSWORD',
        'APPLE_ID',
        'APPLE_APP_SPECIFIC_PASSWORD',
        'APPLE_TEAM_ID',
      ]),
    );
    expect(packageStep.env?.['CSC_LINK']).toContain('secrets.MAC_CSC_LINK');
    expect(packageStep.env?.['CSC_LINK']).toContain('secrets.WIN_CSC_LINK');
    const unsigned = installers.steps.find((step) =>
      step.run?.includes('CSC_IDENTITY_AUTO_DISCOVERY=false'),
    );
    expect(unsigned?.if).toContain("env.HAS_MAC_SIGNING != 'true'");
    expect(installers.env?.['HAS_MAC_SIGNING']).toBe("${{ secrets.MAC_CSC_LINK != '' }}");
  });

  it('uploads every installer kind with checksums, and only the publish job may write', () => {
    const upload = installers.steps.find((step) =>
      step.uses?.startsWith('actions/upload-artifact'),
    ) as Step;
    const paths = String(upload.with?.['path']);
    for (const kind of ['deb', 'rpm', 'AppImage', 'dmg', 'exe'])
      expect(paths).toContain(`out/*.${kind}`);
    expect(paths).toContain('SHA256SUMS');
    expect(workflow.jobs['publish']?.needs).toBe('installers');
    expect((workflow.jobs['publish'] as Job & { permissions: unknown }).permissions).toEqual({
      contents: 'write',
    });
  });
});
