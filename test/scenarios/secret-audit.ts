// The verdicts of the secret crash-safety scenario, taken once the fleet has settled: one Data Hub
// client per object (never a duplicate, never one without an object), zero orphaned secrets (an
// operator-made secret that is neither the one the Kubernetes Secret holds nor the previous one
// inside its grace period), secrets made by people untouched, every Secret's client secret really
// getting a token from the simulator's token endpoint, and no plaintext anywhere it must not be.
// Each returns the problems it found (the caller asserts them empty) and what it counted.
import { derivedClientId } from '../../src/engine/identity.ts';
import type { Simulator } from '../../src/simulator/index.ts';
import { isExpired, type SecretBooks } from '../../src/simulator/secrets.ts';
import type { Secret as SecretObject } from '../../src/api/objects.ts';
import { decodeSecret as decode, SECRET_KEYS, type SecretBearer, type SecretKind } from './secret-kinds.ts';

/** The mark design §2 requires in the description of every secret the operator makes: the object's uid and a sequence number. */
const OPERATOR_MARK = /uid=([0-9a-fA-F-]{36}) seq=(\d+)$/;

export function markedUid(description: string | null): string | undefined {
  return OPERATOR_MARK.exec(description ?? '')?.[1]?.toLowerCase();
}

/**
 * Records every plaintext the simulator issues for one table (client creates and secret adds), so
 * the leak scan also covers secrets nobody ever held (a crash between create and Secret write).
 * It wraps the method of this one in-process simulator instance; the simulator's behaviour is unchanged.
 */
export function recordIssuedPlaintexts(books: SecretBooks, into: Set<string>): void {
  const add = books.add.bind(books);
  books.add = (...args: Parameters<SecretBooks['add']>) => {
    const r = add(...args);
    into.add(r.plaintext);
    return r;
  };
}

export interface ClientVerdict {
  problems: string[];
  clients: number;
  createsApplied: number;
  createsDropped: number;
  conflicts409: number;
}

/** Exactly one client per object, its derived Id, applied creates equal to clients, no client without an object. */
export function oneClientPerObject(sim: Simulator, kind: SecretKind, objects: SecretBearer[], instanceId: string): ClientVerdict {
  const problems: string[] = [];
  const table = kind.table(sim);
  const managed = new Set<string>();
  for (const o of objects) {
    const key = `${kind.name} ${o.metadata.namespace}/${o.metadata.name}`;
    const id = o.status?.clientId?.toLowerCase();
    if (!id) {
      problems.push(`${key} has no status.clientId`);
      continue;
    }
    const derived = derivedClientId(instanceId, o.metadata.namespace ?? '', o.metadata.name, kind.name);
    if (id !== derived) problems.push(`${key} manages ${id}, not its derived Id ${derived}`);
    if (managed.has(id)) problems.push(`${id} is managed by two objects`);
    managed.add(id);
    if (!table.get(id)) problems.push(`${key}: client ${id} does not exist in Data Hub`);
    const name = `${o.metadata.namespace}/${o.metadata.name}`;
    const named = table.all().filter((c) => c.Name === name);
    if (named.length !== 1) problems.push(`${key}: Data Hub has ${named.length} clients named "${name}"`);
  }
  for (const c of table.all()) if (!managed.has(c.Id.toLowerCase())) problems.push(`${kind.name} client ${c.Id} ("${c.Name}") has no object`);
  const createsApplied = sim.requests.count({ method: 'POST', route: kind.routes.create, status: 201 });
  const createsDropped = sim.requests.count({ method: 'POST', route: kind.routes.create, status: 'dropped' });
  if (createsApplied + createsDropped !== table.size) problems.push(`Data Hub applied ${createsApplied + createsDropped} ${kind.name} creates for ${table.size} clients`);
  if (table.size !== objects.length) problems.push(`${table.size} ${kind.name} clients for ${objects.length} objects`);
  return { problems, clients: table.size, createsApplied, createsDropped, conflicts409: sim.requests.count({ method: 'POST', route: kind.routes.create, status: 409 }) };
}

export interface SecretVerdict {
  problems: string[];
  /** Operator-made secrets still in Data Hub: held ones, previous ones in their grace period. */
  held: number;
  inGrace: number;
}

/**
 * Zero orphans: every operator-made secret of the object's client is the one its Secret holds or
 * status.previousSecret while now < deleteAfter + slackMs (the operator's reaction time). Also: the
 * Secret holds a live secret marked for this object, at most 2 operator secrets per client.
 */
export function orphanCheck(sim: Simulator, kind: SecretKind, objects: SecretBearer[], secrets: Map<string, SecretObject>, slackMs: number): SecretVerdict {
  const problems: string[] = [];
  const table = kind.table(sim);
  const now = sim.state.clock.now();
  let held = 0;
  let inGrace = 0;
  for (const o of objects) {
    const key = `${kind.name} ${o.metadata.namespace}/${o.metadata.name}`;
    const clientId = o.status?.clientId;
    if (!clientId) continue; // reported by oneClientPerObject
    const uid = o.metadata.uid?.toLowerCase();
    const own = table.secrets.list(clientId).filter((s) => markedUid(s.Description) !== undefined);
    const foreign = own.filter((s) => markedUid(s.Description) !== uid);
    if (foreign.length > 0) problems.push(`${key}: its client has secrets marked for another object (${foreign.map((s) => s.Id).join(', ')})`);
    const secretName = (o.spec as { secret?: { name?: string } }).secret?.name ?? o.metadata.name;
    const plaintext = decode(secrets.get(secretName))[SECRET_KEYS.clientSecret];
    const current = plaintext ? table.secrets.match(clientId, plaintext) : undefined;
    if (!current) problems.push(`${key}: its Secret does not hold a secret of its client`);
    else if (markedUid(current.Description) !== uid) problems.push(`${key}: its Secret holds secret ${current.Id}, which is not marked for this object`);
    const previous = (o.status as { previousSecret?: { id: number; deleteAfter: string } } | undefined)?.previousSecret;
    for (const s of own.filter((x) => markedUid(x.Description) === uid)) {
      if (s.Id === current?.Id) held++;
      else if (previous && s.Id === previous.id && now < Date.parse(previous.deleteAfter) + slackMs) inGrace++;
      else problems.push(`${key}: orphan secret ${s.Id} ("${s.Description}", ${isExpired(s, now) ? 'expired' : 'live'})${previous?.id === s.Id ? ` past its deleteAfter ${previous.deleteAfter}` : ''}`);
    }
    if (own.length > 2) problems.push(`${key}: ${own.length} operator secrets on one client (at most 2)`);
  }
  return { problems, held, inGrace };
}

/** Asks the simulator's token endpoint, as an app would, with the Secret's client Id and secret. */
export async function tokenCheck(sim: Simulator, kind: SecretKind, secrets: SecretObject[]): Promise<{ problems: string[]; tokens: number; authenticated: number }> {
  const problems: string[] = [];
  let tokens = 0;
  let authenticated = 0;
  for (const s of secrets) {
    const data = decode(s);
    const res = await fetch(`${sim.url}/identity/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: data[SECRET_KEYS.clientId] ?? '', client_secret: data[SECRET_KEYS.clientSecret] ?? '', scope: 'ocsapi' }),
    });
    const body = (await res.json()) as { access_token?: string; error?: string };
    if (kind.name === 'ClientCredentialsClient') {
      if (res.status === 200 && body.access_token) tokens++;
      else problems.push(`Secret ${s.metadata.name}: the token endpoint answered ${res.status} ${body.error ?? ''}`);
    } else if (res.status === 400 && body.error === 'unauthorized_client') {
      // A hybrid client signs users in (authorization code): the endpoint authenticated the secret
      // and refused only the grant. A wrong or deleted secret is invalid_client instead.
      authenticated++;
    } else {
      problems.push(`Secret ${s.metadata.name}: the token endpoint answered ${res.status} ${body.error ?? ''} (expected unauthorized_client: authenticated, grant refused)`);
    }
  }
  return { problems, tokens, authenticated };
}

/** The names of the texts in which any plaintext appears, as it is or base64-encoded. */
export function leaks(plaintexts: Iterable<string>, texts: { name: string; text: string }[]): string[] {
  const needles = [...plaintexts].flatMap((p) => [p, Buffer.from(p, 'utf8').toString('base64')]);
  return texts.filter((t) => needles.some((n) => t.text.includes(n))).map((t) => t.name);
}
