// The answers every Data Hub collection of the simulator shares: JSON body parsing (415, 400), the
// 400/404/405/409 ErrorResponses in Data Hub's words, presentation without nulls (non-verbose) and
// list paging headers. Pure: no state.
import { errorResponse, jsonResponse, type SimResponse } from './http-io.ts';
import { MAX_PAGE_COUNT } from './options.ts';

export const RESOLVE = 'Correct the request and try again.';

export type Parsed = { ok: true; value: unknown } | { ok: false; response: SimResponse };

export function parseJsonBody(operationId: string, contentType: string | undefined, body: Buffer | undefined): Parsed {
  if (!contentType?.toLowerCase().startsWith('application/json')) {
    return { ok: false, response: errorResponse(415, operationId, 'Unsupported media type.', 'The request body must be application/json.', 'Send Content-Type: application/json.') };
  }
  try {
    return { ok: true, value: JSON.parse((body ?? Buffer.alloc(0)).toString('utf8')) as unknown };
  } catch {
    return { ok: false, response: invalid(operationId, 'the request body is not valid JSON') };
  }
}

/** Non-verbose responses leave out null properties, as Data Hub does unless Accept-Verbosity: verbose. */
export function present(c: object, verbose: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (verbose || v !== null) out[k] = v;
  return out;
}

export function invalid(op: string, reason: string): SimResponse {
  return errorResponse(400, op, 'The request is not valid.', reason, RESOLVE);
}

export function notFound(op: string, what: string, reason: string): SimResponse {
  return errorResponse(404, op, `${what} not found.`, reason, `Check the ${what.toLowerCase()} id.`);
}

export function conflict(op: string, reason: string): SimResponse {
  return errorResponse(409, op, 'Conflict.', reason, 'Use another Id, or read and update the existing client.');
}

export function methodNotAllowed(op: string, allow: string): SimResponse {
  return errorResponse(405, op, 'Method not allowed.', 'This route does not support the method.', `Use one of: ${allow}.`, { allow });
}

export function forbidden(op: string, reason: string, resolution: string): SimResponse {
  return errorResponse(403, op, 'Forbidden.', reason, resolution);
}

export function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 97)}...` : s;
}

/** A list answer: the items (absent for HEAD) and Total-Count. */
export function listResponse(method: string, items: unknown[], total: number): SimResponse {
  const headers = { 'total-count': String(total) };
  return method === 'HEAD' ? { status: 200, headers } : jsonResponse(200, items, headers);
}

export type PageQuery = { ok: true; skip: number; count: number } | { ok: false; reason: string };

/** `skip` (≥0, default 0) and `count` (1–1000, default 100) of a list without `id=` filters. */
export function pageQuery(params: URLSearchParams): PageQuery {
  const read = (name: string, dflt: number, min: number, max: number): number | string => {
    const raw = params.get(name);
    if (raw === null || raw === '') return dflt;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) return `${name} must be an integer from ${min} to ${max}`;
    return n;
  };
  const skip = read('skip', 0, 0, Number.MAX_SAFE_INTEGER);
  const count = read('count', 100, 1, MAX_PAGE_COUNT);
  if (typeof skip === 'string') return { ok: false, reason: skip };
  if (typeof count === 'string') return { ok: false, reason: count };
  return { ok: true, skip, count };
}
