// Small node:http helpers for the simulator: the response value handlers return, Data Hub's
// ErrorResponse body, bounded body reading and writing a response. No routing or state here.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A handler's answer, before faults (drop, malformed) are applied to it. */
export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON body (serialised on send); absent = no body. */
  json?: unknown;
  /** Raw body with its own content type (used by faults and the token endpoint's errors). */
  raw?: { contentType: string; body: string | Buffer };
}

export function jsonResponse(status: number, json: unknown, headers?: Record<string, string>): SimResponse {
  return { status, json, ...(headers ? { headers } : {}) };
}

/** Data Hub's ErrorResponse: OperationId, Error, Reason, Resolution (all non-empty strings). */
export function errorResponse(status: number, operationId: string, error: string, reason: string, resolution: string, headers?: Record<string, string>): SimResponse {
  return jsonResponse(status, { OperationId: operationId, Error: error, Reason: reason, Resolution: resolution }, headers);
}

export type BodyResult = { ok: true; body: Buffer } | { ok: false; tooLarge: true };

/** Reads the request body, giving up (and draining the rest) beyond `max` bytes. */
export async function readBody(req: IncomingMessage, max: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return { ok: false, tooLarge: true };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) tooLarge = true; // keep reading to the end so the connection stays usable
    else chunks.push(buf);
  }
  return tooLarge ? { ok: false, tooLarge: true } : { ok: true, body: Buffer.concat(chunks) };
}

/** Writes a SimResponse. HEAD requests get the headers (Content-Length included) and no body. */
export function writeResponse(res: ServerResponse, method: string, r: SimResponse): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...r.headers };
  let body: Buffer | undefined;
  if (r.raw) {
    headers['content-type'] = r.raw.contentType;
    body = Buffer.isBuffer(r.raw.body) ? r.raw.body : Buffer.from(r.raw.body, 'utf8');
  } else if (r.json !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = Buffer.from(JSON.stringify(r.json), 'utf8');
  }
  if (body && method !== 'HEAD') headers['content-length'] = String(body.length);
  else headers['content-length'] = '0';
  res.writeHead(r.status, headers);
  res.end(method === 'HEAD' ? undefined : body);
}

/** Streams a large body in chunks without Content-Length (chunked), as a misbehaving proxy might. */
export function writeChunked(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  const step = 64 * 1024;
  for (let i = 0; i < body.length; i += step) res.write(body.subarray(i, i + step));
  res.end();
}
