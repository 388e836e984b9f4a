// Turns a good success response into one of the broken ones a client must survive: an HTML page, a
// truncated JSON text, the wrong shape, an object (client, secret, role) without Id or with another
// Id, a huge body. Pure: it builds the broken response, server.ts sends it.
import { randomUUID } from 'node:crypto';
import type { SimResponse } from './http-io.ts';
import type { MalformedKind } from './faults.ts';

export type BrokenResponse = { kind: 'simple'; response: SimResponse } | { kind: 'chunked'; status: number; headers: Record<string, string>; body: Buffer };

const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>\n<body><h1>Something went wrong</h1><p>The gateway could not process the request.</p></body></html>\n';

export function breakResponse(r: SimResponse, kind: MalformedKind, hugeBodyBytes: number): BrokenResponse {
  const headers = { ...r.headers };
  const text = JSON.stringify(r.json ?? null);
  switch (kind) {
    case 'html':
      return { kind: 'simple', response: { status: r.status, headers, raw: { contentType: 'text/html; charset=utf-8', body: HTML_PAGE } } };
    case 'truncated-json':
      // A complete HTTP message whose JSON text stops half-way (at least one character short).
      return { kind: 'simple', response: { status: r.status, headers, raw: { contentType: 'application/json; charset=utf-8', body: text.slice(0, Math.max(1, Math.floor(text.length / 2))) } } };
    case 'wrong-shape':
      // A list where an object was due, an object where a list was due.
      return { kind: 'simple', response: { status: r.status, headers, json: Array.isArray(r.json) ? { Items: r.json, Unexpected: true } : [r.json] } };
    case 'missing-id':
      return { kind: 'simple', response: { status: r.status, headers, json: mapClients(r.json, (c) => omitId(c)) } };
    case 'different-id':
      // Another Id of the same type: a GUID for clients and roles, an integer for secrets.
      return { kind: 'simple', response: { status: r.status, headers, json: mapClients(r.json, (c) => ({ ...c, Id: typeof c['Id'] === 'number' ? c['Id'] + 1000 : randomUUID() })) } };
    case 'huge-body': {
      // Valid JSON padded with whitespace past the size any sane client reads, sent without
      // Content-Length so the client has to count while it reads.
      const padding = Math.max(0, hugeBodyBytes - text.length);
      return { kind: 'chunked', status: r.status, headers, body: Buffer.concat([Buffer.from(text, 'utf8'), Buffer.alloc(padding, 0x20)]) };
    }
  }
}

function omitId(c: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (k !== 'Id') out[k] = v;
  return out;
}

/** Applies fn to each object of a list, to an object, to the Client of a create response and the Data of a 207. */
function mapClients(json: unknown, fn: (c: Record<string, unknown>) => Record<string, unknown>): unknown {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (Array.isArray(json)) return json.map((c: unknown) => (isObj(c) ? fn(c) : c));
  if (!isObj(json)) return json;
  if (isObj(json['Client'])) return { ...json, Client: fn(json['Client']) };
  if (Array.isArray(json['Data'])) return { ...json, Data: mapClients(json['Data'], fn) };
  return fn(json);
}
