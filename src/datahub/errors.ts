// The one error type the Data Hub client throws, plus the helpers that build it from an HTTP
// exchange. It classifies nothing (retry or not is the controller's call) and never carries a
// credential, a token or an Authorization header: messages are built from known-safe parts and
// scrubbed of any secret the caller registers.

export type DataHubErrorKind = 'http' | 'network' | 'timeout' | 'malformed-response';

export interface DataHubErrorInit {
  /** HTTP status; 0 when no HTTP response was received (network, timeout). */
  status: number;
  kind: DataHubErrorKind;
  /** e.g. 'create AuthorizationCodeClient'; the message reads `cannot <operation> "<target>": <cause>`. */
  operation: string;
  /** What the message quotes after the operation (a client Id, or the tenant Id for lists). */
  target: string;
  /** The client Id, when the call was about one client. */
  resourceId?: string;
  operationId?: string;
  error?: string;
  reason?: string;
  resolution?: string;
  retryAfterMs?: number;
  /** Free text after the colon; already safe (scrubbed, one line) or scrubbed here. */
  detail: string;
}

const MAX_DETAIL_CHARS = 500;

export class DataHubError extends Error {
  override readonly name = 'DataHubError';
  readonly status: number;
  readonly kind: DataHubErrorKind;
  readonly operation: string;
  readonly resourceId?: string;
  readonly operationId?: string;
  readonly error?: string;
  readonly reason?: string;
  readonly resolution?: string;
  readonly retryAfterMs?: number;

  constructor(init: DataHubErrorInit) {
    super(`cannot ${init.operation} "${oneLine(init.target, 200)}": ${oneLine(init.detail, MAX_DETAIL_CHARS)}`);
    this.status = init.status;
    this.kind = init.kind;
    this.operation = init.operation;
    if (init.resourceId !== undefined) this.resourceId = init.resourceId;
    if (init.operationId !== undefined) this.operationId = init.operationId;
    if (init.error !== undefined) this.error = init.error;
    if (init.reason !== undefined) this.reason = init.reason;
    if (init.resolution !== undefined) this.resolution = init.resolution;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * Data Hub answered 404 for one item (PUT or DELETE of a client Id): the item is not there. Reads go
 * through the list endpoint, where a 404 is the tenant (see collection.ts); this is for writes.
 */
export function isMissing(err: unknown): boolean {
  return err instanceof DataHubError && err.status === 404 && err.kind === 'http';
}

/** Collapses whitespace (so the message is one line) and caps the length. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Replaces every occurrence of a secret (token, client secret) in text. The server could echo
 * anything back in an error body; nothing it says reaches a message unscrubbed.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    // Short strings would redact innocent words; real secrets and tokens are long.
    if (s.length >= 6) out = out.split(s).join('[redacted]');
  }
  return out;
}

/**
 * Parses Retry-After: delta-seconds or an HTTP date (RFC 9110 §10.2.3), relative to `now`.
 * Returns undefined when absent or unparseable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // Only accept things that look like an HTTP date, so "soon" or "-1" are not parsed as dates.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusLabel(status: number): string {
  const text = STATUS_TEXT[status];
  return text === undefined ? `HTTP ${status}` : `HTTP ${status} ${text}`;
}
