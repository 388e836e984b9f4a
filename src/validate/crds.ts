// Loads every CustomResourceDefinition in a directory (by default the crds/ shipped with the
// package) into a lookup by apiVersion and kind. Knows no kind by name: a new CRD file is a new kind
// that `validate` checks. Reads files only; never contacts a cluster.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Schema } from './schema.ts';

export const DEFAULT_CRD_DIR = join(import.meta.dirname, '..', '..', 'crds');

export interface KindVersion {
  name: string;
  schema: Schema;
  /** With a status subresource the API server drops status on create, so it is not checked. */
  statusSubresource: boolean;
}

export interface KindInfo {
  group: string;
  kind: string;
  namespaced: boolean;
  versions: KindVersion[];
}

export type KindLookup = { info: KindInfo; version: KindVersion | undefined } | undefined;

export class CrdSet {
  private readonly byGroupKind = new Map<string, KindInfo>();

  add(info: KindInfo): void {
    this.byGroupKind.set(`${info.kind}.${info.group}`, info);
  }

  kinds(): KindInfo[] {
    return [...this.byGroupKind.values()];
  }

  /** Ours when the group and kind match a CRD; version undefined when that version is not served. */
  lookup(apiVersion: unknown, kind: unknown): KindLookup {
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const info = this.byGroupKind.get(`${kind}.${group}`);
    if (!info) return undefined;
    return { info, version: info.versions.find((v) => v.name === apiVersion.slice(slash + 1)) };
  }
}

interface CrdDocument {
  kind?: string;
  spec?: {
    group: string;
    scope: string;
    names: { kind: string };
    versions: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema }; subresources?: { status?: unknown } }[];
  };
}

export function loadCrds(dir: string = DEFAULT_CRD_DIR): CrdSet {
  const set = new CrdSet();
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (err) {
    throw new Error(`cannot read CRD directory "${dir}": ${(err as Error).message}`, { cause: err });
  }
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`cannot parse CRD file "${join(dir, file)}": ${doc.errors[0]!.message}`);
      const crd = doc.toJS() as CrdDocument | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      set.add({
        group: crd.spec.group,
        kind: crd.spec.names.kind,
        namespaced: crd.spec.scope !== 'Cluster',
        versions: crd.spec.versions
          .filter((v) => v.served !== false)
          .map((v) => ({ name: v.name, schema: v.schema?.openAPIV3Schema ?? {}, statusSubresource: v.subresources?.status !== undefined })),
      });
    }
  }
  return set;
}
