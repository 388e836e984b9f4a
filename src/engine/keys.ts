// Names for objects across kinds. Inside one kind's cache and queue an object is "namespace/name";
// wherever kinds meet (client-Id claims, the Secret→owner index, Secret owner annotations) the kind
// is part of the key, so an AuthorizationCodeClient and a ClientCredentialsClient both named "web"
// never collide. The first kind's Secret owner annotation stays "namespace/name" (see legacy).
import { sharedStringPool } from '../kube/string-pool.ts';
import type { KindDescription } from './kind.ts';

/** "<Kind>/<namespace>/<name>", pooled (one string per object however many indexes hold it). */
export function kindKey(kind: string, key: string): string {
  return sharedStringPool.intern(`${kind}/${key}`);
}

/** The value of the owner annotation a kind writes on its Secrets. */
export function ownerAnnotationOf(description: KindDescription, key: string): string {
  return description.legacy ? key : `${description.resource.kind}/${key}`;
}

/**
 * The object an owner annotation names, as a kind key: "namespace/name" (two parts) is the legacy
 * kind's; "<Kind>/namespace/name" names its kind. Undefined when it is neither.
 */
export function ownerOf(annotation: string, legacyKind: string | undefined): { kind: string; key: string; ref: string } | undefined {
  const parts = annotation.split('/');
  if (parts.length === 2 && legacyKind) return { kind: legacyKind, key: annotation, ref: kindKey(legacyKind, annotation) };
  if (parts.length === 3) {
    const [kind = '', ...rest] = parts;
    const key = rest.join('/');
    return { kind, key, ref: kindKey(kind, key) };
  }
  return undefined;
}

/** For messages: `AuthorizationCodeClient "team/web"`. */
export function describeRef(ref: string): string {
  const slash = ref.indexOf('/');
  return `${ref.slice(0, slash)} "${ref.slice(slash + 1)}"`;
}
