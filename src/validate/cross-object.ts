// What no single object shows: two objects that are the same object, claim the same Data Hub client
// Id (compared without case, as Data Hub does; across namespaces, since the operator arbitrates Ids
// cluster-wide and stalls all but the oldest claimant with ClientIdConflict), or write the same
// Secret in a namespace (the second one is stalled with SecretConflict). Which kinds claim what is
// read from their schemas (spec.clientId, spec.secret.name), not from a list of kinds. Pure.
import type { KindInfo, KindVersion } from './crds.ts';
import { isObject, type FieldPath, type JsonObject } from './schema.ts';

export interface CheckedObject {
  info: KindInfo;
  version: KindVersion;
  /** The defaulted object. */
  value: JsonObject;
  namespace: string;
  name: string;
  /** "file:line", to name the other object in a message. */
  location: string;
}

export interface CrossProblem {
  object: CheckedObject;
  path: FieldPath;
  message: string;
}

const specProperty = (version: KindVersion, ...keys: string[]): boolean => {
  let s = version.schema.properties?.spec;
  for (const key of keys) s = s?.properties?.[key];
  return s !== undefined;
};

const describe = (o: CheckedObject): string => `${o.info.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} (${o.location})`;

/** Reports every object after the first that has the same key; undefined keys are not compared. */
function duplicates(objects: CheckedObject[], keyOf: (o: CheckedObject) => string | undefined, problem: (o: CheckedObject, first: CheckedObject) => Omit<CrossProblem, 'object'>): CrossProblem[] {
  const first = new Map<string, CheckedObject>();
  const out: CrossProblem[] = [];
  for (const o of objects) {
    const key = keyOf(o);
    if (key === undefined) continue;
    const earlier = first.get(key);
    if (earlier) out.push({ object: o, ...problem(o, earlier) });
    else first.set(key, o);
  }
  return out;
}

function spec(o: CheckedObject): JsonObject {
  return isObject(o.value.spec) ? o.value.spec : {};
}

/** The Secret an object writes: spec.secret.name, else metadata.name (the CRDs' default). */
function secretName(o: CheckedObject): { name: string; path: FieldPath } {
  const secret = isObject(spec(o).secret) ? (spec(o).secret as JsonObject) : {};
  return typeof secret.name === 'string' ? { name: secret.name, path: ['spec', 'secret', 'name'] } : { name: o.name, path: ['metadata', 'name'] };
}

export function crossObjectProblems(objects: CheckedObject[]): CrossProblem[] {
  const named = objects.filter((o) => o.name !== '');
  const sameObject = duplicates(
    named,
    (o) => `${o.info.group}/${o.info.kind}/${o.namespace}/${o.name}`,
    (_o, first) => ({ path: ['metadata', 'name'], message: `the same object is also defined at ${first.location}; the later one replaces it` }),
  );
  // Each object once: a repeated definition is reported above, not again as a conflicting claim.
  const unique = named.filter((o) => !sameObject.some((p) => p.object === o));
  const clientIds = duplicates(
    // An object that only observes (managementPolicy Observe) claims no Id: it never writes the client.
    unique.filter((o) => specProperty(o.version, 'clientId') && spec(o).managementPolicy !== 'Observe'),
    (o) => (typeof spec(o).clientId === 'string' ? (spec(o).clientId as string).toLowerCase() : undefined),
    (_o, first) => ({
      path: ['spec', 'clientId'],
      message: `the same Data Hub client Id is claimed by ${describe(first)}: the operator lets only the oldest object manage it and stalls the others (ClientIdConflict)`,
    }),
  );
  const secrets = duplicates(
    unique.filter((o) => specProperty(o.version, 'secret', 'name')),
    (o) => `${o.namespace}/${secretName(o).name}`,
    (o, earlier) => ({
      path: secretName(o).path,
      message: `writes the same Secret "${secretName(o).name}" as ${describe(earlier)}: only one object can own a Secret (the other is stalled with SecretConflict)`,
    }),
  );
  return [...sameObject, ...clientIds, ...secrets];
}
