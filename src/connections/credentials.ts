// Where a connection's Data Hub credential comes from: the flags/environment, or files of a mounted
// Secret re-read on every token request (first token, and after each 401), so a rotated Secret
// needs no restart. Never logs or returns a value in an error message.
import { readFile } from 'node:fs/promises';
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
