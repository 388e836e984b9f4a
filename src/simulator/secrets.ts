// Client secrets of one client table: per-client books of secrets with auto-incremented integer Ids,
// kept as SHA-256 hashes (the plaintext exists only in the answer that creates it), expiry on the
// simulator clock, and when each was last used to get a token. Data only: no HTTP, no auth.
import { createHash, randomBytes } from 'node:crypto';

export interface StoredSecret {
  Id: number;
  Description: string | null;
  /** Epoch ms; null = never expires. */
  Expiration: number | null;
  /** SHA-256 of the plaintext, base64url (a string: smaller in V8 than a Buffer). */
  hash: string;
  createdAt: number;
  lastUsedAt: number | null;
  tokensIssued: number;
}

/** Data Hub's ClientSecret. */
export interface ClientSecret {
  Id: number;
  Description: string | null;
  Expiration: string | null;
  Expires: boolean;
}

/** What the inspection API and `sim.tenant().secrets(id)` show: metadata, never the plaintext. */
export interface SecretInfo extends ClientSecret {
  createdAt: string;
  expired: boolean;
  lastUsedAt: string | null;
  tokensIssued: number;
}

export interface NewSecret {
  Description?: string | null;
  /** Epoch ms; null or absent = never expires. */
  Expiration?: number | null;
  /** A chosen plaintext (planting only); default a fresh random one. */
  Secret?: string;
}

interface Book {
  nextId: number;
  items: StoredSecret[];
}

export function hashSecret(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('base64url');
}

/** 32 random bytes in base64: 44 characters, like the secret in Data Hub's sample curl. */
export function newPlaintext(): string {
  return randomBytes(32).toString('base64');
}

export function isExpired(s: Pick<StoredSecret, 'Expiration'>, now: number): boolean {
  return s.Expiration !== null && now >= s.Expiration;
}

/** Moves the expiration one second into the past (a secret already expired stays as it is). */
export function expireNow(s: StoredSecret, now: number): void {
  if (!isExpired(s, now)) s.Expiration = now - 1000;
}

export function toClientSecret(s: StoredSecret): ClientSecret {
  return { Id: s.Id, Description: s.Description, Expiration: s.Expiration === null ? null : new Date(s.Expiration).toISOString(), Expires: s.Expiration !== null };
}

export function toSecretInfo(s: StoredSecret, now: number): SecretInfo {
  return {
    ...toClientSecret(s),
    createdAt: new Date(s.createdAt).toISOString(),
    expired: isExpired(s, now),
    lastUsedAt: s.lastUsedAt === null ? null : new Date(s.lastUsedAt).toISOString(),
    tokensIssued: s.tokensIssued,
  };
}

export class SecretBooks {
  private readonly books = new Map<string, Book>();

  count(clientId: string): number {
    return this.books.get(clientId.toLowerCase())?.items.length ?? 0;
  }

  /** The client's secrets in Id order (the stored objects: callers must not leak `hash`). */
  list(clientId: string): readonly StoredSecret[] {
    return this.books.get(clientId.toLowerCase())?.items ?? [];
  }

  get(clientId: string, secretId: number): StoredSecret | undefined {
    return this.list(clientId).find((s) => s.Id === secretId);
  }

  /** Adds a secret (no limit here: the API enforces Data Hub's). Returns it and its plaintext. */
  add(clientId: string, input: NewSecret, now: number): { secret: StoredSecret; plaintext: string } {
    const key = clientId.toLowerCase();
    let book = this.books.get(key);
    if (!book) {
      book = { nextId: 1, items: [] };
      this.books.set(key, book);
    }
    const plaintext = input.Secret ?? newPlaintext();
    const secret: StoredSecret = { Id: book.nextId, Description: input.Description ?? null, Expiration: input.Expiration ?? null, hash: hashSecret(plaintext), createdAt: now, lastUsedAt: null, tokensIssued: 0 };
    book.nextId += 1;
    book.items.push(secret);
    return { secret, plaintext };
  }

  delete(clientId: string, secretId: number): boolean {
    const book = this.books.get(clientId.toLowerCase());
    const i = book ? book.items.findIndex((s) => s.Id === secretId) : -1;
    if (!book || i < 0) return false;
    book.items.splice(i, 1);
    return true;
  }

  /** Every secret of the client goes (the client was deleted); its Id counter too. */
  drop(clientId: string): void {
    this.books.delete(clientId.toLowerCase());
  }

  clear(): void {
    this.books.clear();
  }

  /** The secret whose plaintext this is, if any (expired or not: the caller decides). */
  match(clientId: string, plaintext: string): StoredSecret | undefined {
    const h = hashSecret(plaintext);
    // A plain comparison: a test tool on loopback has no timing side channel worth defending.
    return this.list(clientId).find((s) => s.hash === h);
  }
}
