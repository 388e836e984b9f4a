// Where a connection's Data Hub credential comes from: the flags/environment, or files of a mounted
// Secret re-read on every token request (first token, and after each 401), so a rotated Secret
// needs no restart; or, for connection objects, a holder of what was last read from their Secret.
// Never logs or returns a value in an error message.
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DataHubCredential } from '../datahub/index.ts';

export interface CredentialSettings {
  /** Directory with files client-id and client-secret; when unset the two values below are used. */
  credentialsDir: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
}

export function credentialSource(settings: CredentialSettings): () => Promise<DataHubCredential> {
  const dir = settings.credentialsDir;
  if (!dir) {
    const credential = { clientId: settings.clientId ?? '', clientSecret: settings.clientSecret ?? '' };
    return () => Promise.resolve(credential);
  }
  return async () => {
    const read = async (file: string): Promise<string> => {
      try {
        return (await readFile(join(dir, file), 'utf8')).trim();
      } catch (err) {
        const cause = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new Error(`cannot read Data Hub credential file "${join(dir, file)}": ${cause}`, { cause: err });
      }
    };
    return { clientId: await read('client-id'), clientSecret: await read('client-secret') };
  };
}

/**
 * The credential of a connection object, as last read from its Secret (the connection controller
 * reads it; the token provider asks for it on every token request). It keeps the last value when the
 * Secret goes away: syncs stop (the connection is not Ready), but deletions can still finish, so
 * deleting a namespace whose Secrets go first does not hang. Only a digest is kept for comparisons.
 */
export class CredentialHolder {
  private value: DataHubCredential | undefined;
  private digest = '';
  private readonly what: string;

  /** `what` names the Secret in messages (never its content). */
  constructor(what: string) {
    this.what = what;
  }

  /** Stores a credential; true when it differs from the one held (the token must be fetched anew). */
  set(credential: DataHubCredential): boolean {
    const digest = createHash('sha256').update(`${credential.clientId}\n${credential.clientSecret}`).digest('base64');
    if (digest === this.digest) return false;
    this.digest = digest;
    this.value = { ...credential };
    return true;
  }

  has(): boolean {
    return this.value !== undefined;
  }

  readonly source = (): Promise<DataHubCredential> =>
    this.value ? Promise.resolve(this.value) : Promise.reject(new Error(`cannot read Data Hub credential "${this.what}": it has not been read from its Secret yet`));
}
