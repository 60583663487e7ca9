import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { gitEnv } from './git-process.js';

/**
 * Serves smart HTTP through the real `git http-backend` (CGI), so clients meet real git
 * behaviour: capabilities, report-status, hook output on sideband, ref-lock failures.
 */
export interface BackendRequest {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** Folder holding `{project}/{slug}.git`. */
  readonly projectRoot: string;
  /** e.g. `/proj/repo.git/info/refs` */
  readonly pathInfo: string;
  readonly queryString: string;
  readonly remoteUser: string | undefined;
  /** The body when the caller already read it (to inspect push commands); else the request. */
  readonly body?: Buffer;
  readonly env?: Readonly<Record<string, string>>;
  /** Extra response headers (X-AREQUESTID and friends). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Runs after git exits and before the response ends, so whatever the push caused (webhook
   * deliveries) has started by the time the client sees the push finish.
   */
  readonly beforeEnd?: () => Promise<void>;
}

export function runHttpBackend(options: BackendRequest): Promise<number> {
  const { request, response } = options;
  const env = gitEnv({
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: options.pathInfo,
    QUERY_STRING: options.queryString,
    REQUEST_METHOD: request.method ?? 'GET',
    CONTENT_TYPE: request.headers['content-type'] ?? '',
    REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    ...(options.remoteUser !== undefined ? { REMOTE_USER: options.remoteUser } : {}),
    ...(request.headers['content-encoding']
      ? { HTTP_CONTENT_ENCODING: String(request.headers['content-encoding']) }
      : {}),
    ...(request.headers['git-protocol']
      ? { GIT_PROTOCOL: String(request.headers['git-protocol']) }
      : {}),
    ...(options.body !== undefined ? { CONTENT_LENGTH: String(options.body.length) } : {}),
    ...options.env,
  });
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    if (options.body !== undefined) child.stdin.end(options.body);
    else {
      // A client killed mid-upload aborts the request; end git's input instead of crashing.
      const upload = Readable.from(request);
      upload.on('error', () => child.stdin.destroy());
      upload.pipe(child.stdin);
    }

    let head = Buffer.alloc(0);
    let headersDone = false;
    const stderr: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf('\r\n\r\n');
      const lf = head.indexOf('\n\n');
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
      if (end < 0) return;
      const separator = end === crlf ? 4 : 2;
      const headerText = head.subarray(0, end).toString('latin1');
      const rest = head.subarray(end + separator);
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = { ...options.headers };
      for (const line of headerText.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
        else headers[name] = value;
      }
      response.writeHead(status, headers);
      if (rest.length) response.write(rest);
    });
    child.on('close', (code) => {
      void (options.beforeEnd ?? (async () => undefined))()
        .catch(() => undefined)
        .then(() => finish(code));
    });
    const finish = (code: number | null): void => {
      if (!headersDone) {
        if (!response.headersSent) {
          response.writeHead(500, { ...options.headers, 'Content-Type': 'text/plain' });
        }
        response.end(`git http-backend failed: ${Buffer.concat(stderr).toString('utf8')}`);
      } else {
        response.end();
      }
      resolve(code ?? -1);
    };
  });
}

/** Reads the ref-update commands at the start of a receive-pack request (pkt-lines). */
export function parseReceivePackCommands(
  body: Buffer,
): { readonly oldId: string; readonly newId: string; readonly ref: string }[] {
  const commands: { oldId: string; newId: string; ref: string }[] = [];
  let offset = 0;
  while (offset + 4 <= body.length) {
    const length = Number.parseInt(body.subarray(offset, offset + 4).toString('latin1'), 16);
    if (!Number.isFinite(length) || length === 0) break;
    const line = body
      .subarray(offset + 4, offset + length)
      .toString('latin1')
      .split('\0')[0]!
      .trim();
    const [oldId, newId, ref] = line.split(' ');
    if (oldId && newId && ref) commands.push({ oldId, newId, ref });
    offset += length;
  }
  return commands;
}
