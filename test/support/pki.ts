// Keys and credentials for a test control plane: the ServiceAccount token signing key pair and the
// static admin token. Uses node:crypto only; never logs or returns key material beyond what callers
// write into the control plane's own temp dir.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServiceAccountKeyFiles {
  /** PKCS#8 private key: --service-account-signing-key-file */
  privateKeyFile: string;
  /** SPKI public key: --service-account-key-file (verifies the tokens) */
  publicKeyFile: string;
}

/** Writes an ECDSA P-256 key pair (ES256 tokens, as upstream's own test server uses). */
export function writeServiceAccountKeys(dir: string): ServiceAccountKeyFiles {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const privateKeyFile = join(dir, 'sa-signer.key');
  const publicKeyFile = join(dir, 'sa-signer.pub');
  writeFileSync(privateKeyFile, privateKey, { mode: 0o600 });
  writeFileSync(publicKeyFile, publicKey, { mode: 0o600 });
  return { privateKeyFile, publicKeyFile };
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Writes a --token-auth-file with one admin user in system:masters. Format per line:
 * token,user,uid,"group1,group2".
 */
export function writeTokenAuthFile(dir: string, token: string): string {
  const file = join(dir, 'tokens.csv');
  writeFileSync(file, `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });
  return file;
}
