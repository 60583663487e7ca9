/**
 * Repository content as `git fast-import` streams: the small ready repository, and generated
 * repositories of a requested size for benchmarks (e.g. 2,000 files / 20 MiB, 20,000 files /
 * 70 MiB). Content is text-like (YAML-ish lines of words) so packing and delta compression behave
 * as with real GitOps repositories, and deterministic (seeded) so benchmark runs compare.
 */
export interface GeneratedContent {
  readonly files: number;
  readonly bytes: number;
  readonly seed?: number;
}

const words = [
  'apiVersion',
  'kind',
  'metadata',
  'name',
  'namespace',
  'labels',
  'app',
  'spec',
  'replicas',
  'selector',
  'template',
  'containers',
  'image',
  'ports',
  'containerPort',
  'resources',
  'limits',
  'requests',
  'cpu',
  'memory',
  'env',
  'value',
  'configMap',
  'secretRef',
  'volume',
  'mount',
  'service',
  'deployment',
  'ingress',
  'host',
  'path',
  'backend',
  'annotations',
  'helm',
  'chart',
  'values',
  'release',
  'gitops',
  'sync',
  'policy',
  'prune',
  'automated',
  'health',
  'status',
];

/** mulberry32: tiny, fast, good enough for content that only has to look varied. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function textPool(random: () => number, size: number): string {
  const lines: string[] = [];
  let length = 0;
  while (length < size) {
    const indent = '  '.repeat(Math.floor(random() * 4));
    const count = 1 + Math.floor(random() * 6);
    const value = Array.from({ length: count }, () => words[Math.floor(random() * words.length)]);
    const line = `${indent}${value[0]}: ${value.slice(1).join('-')}${Math.floor(random() * 1000)}\n`;
    lines.push(line);
    length += line.length;
  }
  return lines.join('');
}

function blob(path: string, data: Buffer): string[] {
  return [`M 100644 inline ${path}`, `data ${data.length}`];
}

function commitHeader(branch: string, now: number, message: string): string {
  const seconds = Math.floor(now / 1000);
  return [
    `commit refs/heads/${branch}`,
    `author Simulator Seed <seed@example.com> ${seconds} +0000`,
    `committer Simulator Seed <seed@example.com> ${seconds} +0000`,
    `data ${Buffer.byteLength(message)}`,
    message,
  ].join('\n');
}

export async function* contentStream(
  branch: string,
  content: GeneratedContent,
  now: number,
): AsyncGenerator<Buffer | string> {
  const random = prng(content.seed ?? 42);
  const files = Math.max(1, Math.floor(content.files));
  const perFile = Math.max(16, Math.floor(content.bytes / files));
  const pool = textPool(random, Math.max(64 * 1024, perFile * 4));
  yield `${commitHeader(branch, now, `Generated ${files} files, ${content.bytes} bytes\n`)}\n`;
  const dirs = Math.max(1, Math.ceil(files / 100));
  let batch: Buffer[] = [];
  let batchBytes = 0;
  for (let index = 0; index < files; index += 1) {
    const dir = `apps/app-${String(index % dirs).padStart(4, '0')}`;
    const path = `${dir}/manifest-${String(index).padStart(6, '0')}.yaml`;
    const header = `# ${path}\n`;
    const offset = Math.floor(random() * (pool.length - perFile));
    const body = Buffer.from(
      header + pool.slice(offset, offset + Math.max(0, perFile - header.length)),
    );
    const lines = blob(path, body);
    const chunk = Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), body, Buffer.from('\n')]);
    batch.push(chunk);
    batchBytes += chunk.length;
    if (batchBytes > 1 << 20) {
      yield Buffer.concat(batch);
      batch = [];
      batchBytes = 0;
    }
  }
  if (batch.length) yield Buffer.concat(batch);
  yield 'done\n';
}

const readyFiles: Readonly<Record<string, string>> = {
  'README.md': '# Demo GitOps repository\n\nManaged by the BDC simulator.\n',
  'apps/web/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  replicas: 2',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: nginx:1.27',
    '',
  ].join('\n'),
  'apps/web/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n',
  'clusters/dev/kustomization.yaml': 'resources:\n  - ../../apps/web\n',
};

export async function* readyContentStream(
  branch: string,
  now: number,
): AsyncGenerator<Buffer | string> {
  yield `${commitHeader(branch, now, 'Initial commit\n')}\n`;
  for (const [path, text] of Object.entries(readyFiles)) {
    const data = Buffer.from(text);
    yield `${blob(path, data).join('\n')}\n`;
    yield data;
    yield '\n';
  }
  yield 'done\n';
}
