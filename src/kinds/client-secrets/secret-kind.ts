// What every secret-bearing kind (ClientCredentialsClient, HybridClient) is made of, put together
// once: the schema validation, the external client whose create carries the first secret (planned
// by desired()), and the rotation step after remote sync. A kind supplies only what is its own: its
// description, schema, desired state and diff, create/update bodies, Secret contents, its Data Hub
// collections, and optionally a step before remote calls (roles). Only the kinds' index.ts use this.
import { systemClock, type Clock } from '../../clock.ts';
import type { Connection } from '../../connections/connection.ts';
import type { ConnectionRegistry } from '../../connections/registry.ts';
import type { ClientSecrets } from '../../datahub/index.ts';
import type { ClientObject, ExternalClient, Kind, KindDescription, KindHooks, SecretContents } from '../../engine/kind.ts';
import { SecretClientExternal, type SecretClientBodies, type SecretClientCalls } from './external-client.ts';
import { FirstSecretPlans } from './first-secret.ts';
import { rotationSettings } from './rotation-settings.ts';
import { RotationStep, type MaybeIssued, type RotationMetrics, type SecretObject } from './rotation-step.ts';
import { specValidator } from './validate-spec.ts';

export interface SecretKindDeps {
  connections: ConnectionRegistry;
  metrics: RotationMetrics;
  clock?: Clock;
}

export interface SecretKindParts<O extends SecretObject & ClientObject, D extends { Id: string }, R, C, U> {
  description: KindDescription;
  /** The CRD's schema (generated), checked again by ajv. */
  schema: object;
  desired: (obj: O, clientId: string) => D;
  diff: (desired: D, remote: R) => string[];
  bodies: SecretClientBodies<D, C, U>;
  /** The default Secret keys and template variables (observed: the remote client under managementPolicy Observe). */
  contents: (obj: O, clientId: string, connection: Pick<Connection, 'tenantId' | 'baseUrl'>, observed?: R) => SecretContents;
  /** The connection's collection of this kind's clients, and of their secrets. */
  clients: (connection: Connection) => SecretClientCalls<R, C, U>;
  secrets: (connection: Connection) => Pick<ClientSecrets, 'list' | 'add' | 'delete'>;
  beforeRemote?: KindHooks<O, D, R & MaybeIssued>['beforeRemote'];
}

export function secretKind<O extends SecretObject & ClientObject, D extends { Id: string }, R, C, U>(
  parts: SecretKindParts<O, D, R, C, U>,
  deps: SecretKindDeps,
): Kind<O, D, R & MaybeIssued> {
  const clock = deps.clock ?? systemClock;
  const step = new RotationStep<O, D, R & MaybeIssued>({ kind: parts.description.resource.kind, secrets: parts.secrets, metrics: deps.metrics });
  const plans = new FirstSecretPlans<D>();
  const placeholder = { tenantId: 'x', baseUrl: 'x' };
  return {
    description: parts.description,
    validate: specValidator<O>(parts.schema, (obj) => parts.contents(obj, 'x', placeholder)),
    connect: (obj) => deps.connections.resolve(obj),
    ...(parts.beforeRemote && { beforeRemote: parts.beforeRemote }),
    // Reads answer R, the create R with the first secret (Created<R>): both are R & MaybeIssued (an
    // absent issuedSecret), which TypeScript cannot see for a generic R.
    external: (connection, calls) => new SecretClientExternal<D, R, C, U>(parts.clients(connection), calls, parts.bodies, plans, clock) as ExternalClient<D, R & MaybeIssued>,
    desired: (obj, clientId) => {
      const first = step.firstDescription(obj);
      return plans.plan(parts.desired(obj, clientId), { description: first.description, validForMs: rotationSettings(obj.spec.secretRotation).validForMs });
    },
    diff: parts.diff,
    secret: ({ obj, clientId, connection, observed }) => parts.contents(obj, clientId, connection, observed),
    afterRemote: (ctx) => step.run(ctx),
  };
}
