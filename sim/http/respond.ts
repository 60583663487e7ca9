import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BdcError } from './bdc-errors.js';

export const JSON_TYPE = 'application/json;charset=UTF-8';

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': JSON_TYPE,
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

export function sendError(
  response: ServerResponse,
  error: BdcError,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendJson(response, error.status, error.body, headers);
}

export function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status);
  response.end();
}

export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  type = 'text/plain;charset=UTF-8',
): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}

export async function readBody(
  request: IncomingMessage,
  limit = 512 * 1024 * 1024,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
