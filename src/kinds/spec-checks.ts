// The controller-side spec checks every kind makes the same way: the CRD schema again through ajv
// (an object stored before a schema change, or under an older CRD, must not reach Data Hub), with
// its errors as `<field>: <problem>` lines; and a pinned clientId that differs from the client the
// object already manages. Pure; each kind's validate puts them together with its own rules.
import { Ajv, type ValidateFunction } from 'ajv';
import { sameClientId } from '../engine/identity.ts';
import type { ClientObject } from '../engine/kind.ts';

const ajv = new Ajv({ allErrors: true, strict: true });

/** A schema check: the problems ajv finds, or undefined when the object passes. */
export function schemaCheck(schema: object): (obj: unknown) => string[] | undefined {
  const validate: ValidateFunction = ajv.compile(schema);
  return (obj) => (validate(obj) ? undefined : (validate.errors ?? []).map((e) => `${e.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'object'}: ${e.message ?? 'is invalid'}`));
}

/** spec.clientId is immutable once the object manages a client (the CRD's rule, for older objects). */
export function pinnedIdProblems(obj: ClientObject): string[] {
  const pinned = obj.spec.clientId;
  const managed = obj.status?.clientId;
  if (!pinned || !managed || sameClientId(pinned, managed)) return [];
  return [
    `spec.clientId: ${pinned} differs from the client this object already manages (status.clientId ${managed}); ` +
      'delete and re-create the object (deletionPolicy: Orphan keeps the old client) to manage a different client',
  ];
}
