import { CompanionError } from '../../common/errors/companion-error.js';
import type { PushAuthor, PushChange } from '../../common/models/push.js';
import { MAX_FRAME_BYTES, MAX_ID_LENGTH } from './bridge-limits.js';

/** A request id: printable ASCII without spaces (so it never holds the chunk separator 0x00). */
const ID_PATTERN = /^[\x21-\x7e]+$/;
const MAX_QUERY_KEYS = 32;
const MAX_QUERY_VALUE = 2048;
const MAX_HEADERS = 32;
const MAX_CHANGES = 10_000;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** A frame the platform sends, once checked (BRIDGE.md, "Frames"). */
export type PlatformFrame =
  | { readonly kind: 'welcome' }
  | {
      readonly kind: 'http';
      readonly id: string;
      readonly method: string;
      readonly path: string;
      readonly query: Readonly<Record<string, string>>;
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'push';
      readonly id: string;
      readonly repo: string;
      readonly branch: string;
      readonly message: string;
      readonly author: PushAuthor | undefined;
      readonly changes: readonly PushChange[];
      readonly expectedTip: string | undefined;
    }
  | { readonly kind: 'cancel'; readonly id: string };

export type FrameParse =
  | { readonly ok: true; readonly frame: PlatformFrame }
  | { readonly ok: false; readonly id: string | undefined; readonly error: CompanionError };

function bad(message: string, id?: string): FrameParse {
  return { ok: false, id, error: new CompanionError('BRIDGE_BAD_REQUEST', message) };
}

/** The id of an oversized or unparsable frame, read from its first bytes only, when it is plain. */
function idFromPrefix(text: string): string | undefined {
  const match = /"id"\s*:\s*"([\x21\x23-\x5b\x5d-\x7e]{1,64})"/.exec(text.slice(0, 512));
  return match?.[1];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringRecord(
  value: unknown,
  maxKeys: number,
  maxValue: number,
): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (!isObject(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length > maxKeys) return undefined;
  const result: Record<string, string> = {};
  for (const [key, entry] of entries) {
    if (typeof entry !== 'string' || entry.length > maxValue || key.length > 128) return undefined;
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (/[\u0000-\u001f\u007f]/.test(key + entry)) return undefined;
    result[key] = entry;
  }
  return result;
}

function parseChanges(value: unknown): PushChange[] | string {
  if (!Array.isArray(value) || value.length === 0) return 'changes must be a non-empty list';
  if (value.length > MAX_CHANGES) return `at most ${MAX_CHANGES} changes`;
  const changes: PushChange[] = [];
  for (const entry of value) {
    if (!isObject(entry) || typeof entry['path'] !== 'string') return 'each change needs a path';
    const path = entry['path'];
    if (entry['op'] === 'delete') {
      changes.push({ kind: 'delete', path });
    } else if (entry['op'] === 'put') {
      const content = entry['content'];
      if (typeof content !== 'string' || !BASE64.test(content)) {
        return `the content of ${path.slice(0, 200)} is not base64`;
      }
      changes.push({ kind: 'put', path, content: Buffer.from(content, 'base64') });
    } else {
      return 'a change op is put or delete';
    }
  }
  return changes;
}

/**
 * Parses one text frame from the platform. Size is checked before parsing (a frame over 1 MiB is
 * never parsed), then the shape of each type; anything else is BRIDGE_BAD_REQUEST, answered with
 * the id when one can be read.
 */
export function parsePlatformFrame(data: string | Uint8Array): FrameParse {
  const bytes = typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
  const text =
    typeof data === 'string'
      ? data
      : Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, 512)).toString('utf8');
  if (bytes > MAX_FRAME_BYTES) {
    return bad(
      `The frame is ${bytes} bytes; at most ${MAX_FRAME_BYTES} are accepted.`,
      idFromPrefix(text),
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  } catch {
    return bad('The frame is not JSON.', idFromPrefix(text));
  }
  if (!isObject(value) || typeof value['type'] !== 'string') {
    return bad('The frame is not an object with a type.');
  }
  const type = value['type'];
  if (type === 'welcome') return { ok: true, frame: { kind: 'welcome' } };
  const rawId = value['id'];
  if (typeof rawId !== 'string' || rawId.length === 0) {
    return bad(`A ${type.slice(0, 40)} frame needs an id.`);
  }
  if (rawId.length > MAX_ID_LENGTH || !ID_PATTERN.test(rawId)) {
    return bad(`The id must be 1 to ${MAX_ID_LENGTH} printable characters.`);
  }
  const id = rawId;
  switch (type) {
    case 'cancel':
      return { ok: true, frame: { kind: 'cancel', id } };
    case 'http': {
      const method = value['method'];
      const path = value['path'];
      if (typeof method !== 'string' || typeof path !== 'string') {
        return bad('An http frame needs a method and a path.', id);
      }
      const query = stringRecord(value['query'], MAX_QUERY_KEYS, MAX_QUERY_VALUE);
      if (query === undefined) return bad('The query must be an object of short strings.', id);
      const headers = stringRecord(value['headers'], MAX_HEADERS, MAX_QUERY_VALUE);
      if (headers === undefined) return bad('The headers must be an object of short strings.', id);
      return {
        ok: true,
        frame: { kind: 'http', id, method: method.toUpperCase(), path, query, headers },
      };
    }
    case 'push': {
      const { repo, branch, message, author, expectedTip } = value;
      if (typeof repo !== 'string' || typeof branch !== 'string' || typeof message !== 'string') {
        return bad('A push frame needs repo, branch and message.', id);
      }
      let pushAuthor: PushAuthor | undefined;
      if (author !== undefined) {
        if (
          !isObject(author) ||
          typeof author['name'] !== 'string' ||
          typeof author['email'] !== 'string'
        ) {
          return bad('The author needs a name and an email.', id);
        }
        pushAuthor = { name: author['name'], email: author['email'] };
      }
      if (
        expectedTip !== undefined &&
        (typeof expectedTip !== 'string' || !COMMIT_ID.test(expectedTip))
      ) {
        return bad('expectedTip must be a full commit id.', id);
      }
      const changes = parseChanges(value['changes']);
      if (typeof changes === 'string') return bad(`The push was refused: ${changes}.`, id);
      return {
        ok: true,
        frame: {
          kind: 'push',
          id,
          repo,
          branch,
          message,
          author: pushAuthor,
          changes,
          expectedTip: expectedTip,
        },
      };
    }
    default:
      return bad(`Unknown frame type ${type.slice(0, 40)}.`, id);
  }
}
