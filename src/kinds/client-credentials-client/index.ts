// The ClientCredentialsClient kind (a service's Data Hub client, with roles and a client secret the
// operator rotates): its description, validation, role resolution (a directory per connection),
// desired state and diff, Secret contents, external client and the secret rotation step, put
// together as the engine's kind contract. Only operator.ts imports this.
import { Reason } from '../../api/conditions.ts';
import { ClientCredentialsClientSchema } from '../../api/schema.generated.ts';
import type { ClientCredentialsClient } from '../../api/types.generated.ts';
import { systemClock, type Clock } from '../../clock.ts';
import type { Connection } from '../../connections/connection.ts';
import type { ConnectionRegistry } from '../../connections/registry.ts';
import type { ClientCredentialClient } from '../../datahub/index.ts';
import { TerminalError } from '../../engine/errors.ts';
import type { Kind } from '../../engine/kind.ts';
import { Priority } from '../../workqueue/work-queue.ts';
import { SecretClientExternal } from '../client-secrets/external-client.ts';
import { FirstSecretPlans } from '../client-secrets/first-secret.ts';
import { rotationSettings } from '../client-secrets/rotation-settings.ts';
import { RotationStep, type MaybeIssued, type RotationMetrics } from '../client-secrets/rotation-step.ts';
import { specValidator } from '../client-secrets/validate-spec.ts';
import { CLIENT_CREDENTIALS_CLIENT } from './description.ts';
import { createBody, desiredCcClient, diffCcClient, updateBody, type DesiredCcClient } from './desired-client.ts';
import { RoleDirectory } from './role-directory.ts';
import { secretContents } from './secret-values.ts';

/** What Data Hub answers: a client, and right after the create the first secret with it. */
export type CcRemote = ClientCredentialClient & MaybeIssued;

export interface SecretKindDeps {
  connections: ConnectionRegistry;
  metrics: RotationMetrics;
  clock?: Clock;
}

export function clientCredentialsClientKind(deps: SecretKindDeps): Kind<ClientCredentialsClient, DesiredCcClient, CcRemote> {
  const clock = deps.clock ?? systemClock;
  const step = new RotationStep<ClientCredentialsClient, DesiredCcClient, CcRemote>({
    kind: CLIENT_CREDENTIALS_CLIENT.resource.kind,
    secrets: (c) => c.dataHub.clientCredentialClientSecrets,
    metrics: deps.metrics,
  });
  const plans = new FirstSecretPlans<DesiredCcClient>();
  const directories = new WeakMap<Connection, RoleDirectory>();
  const directory = (c: Connection): RoleDirectory => {
    let d = directories.get(c);
    if (!d) {
      const list = async (): Promise<Awaited<ReturnType<typeof c.dataHub.roles.list>>['items']> => (await c.gateway.calls(Priority.Normal).run(() => c.dataHub.roles.list())).items;
      directories.set(c, (d = new RoleDirectory({ list, now: () => clock.now() })));
    }
    return d;
  };
  const cachedRoles = (obj: ClientCredentialsClient): string[] | undefined => {
    try {
      return directory(deps.connections.resolve(obj)).cached(obj.spec.roles ?? []);
    } catch {
      return undefined; // no connection serves it (yet): its reconcile reports why
    }
  };
  const contents = (obj: ClientCredentialsClient): ReturnType<typeof secretContents> => secretContents(obj, 'x', 'x', 'x');
  return {
    description: CLIENT_CREDENTIALS_CLIENT,
    validate: specValidator<ClientCredentialsClient>(ClientCredentialsClientSchema, contents),
    connect: (obj) => deps.connections.resolve(obj),
    beforeRemote: async ({ obj, connection }) => {
      const r = await directory(connection).resolve(obj.spec.roles ?? []);
      if (r.unknown.length > 0) {
        const known = r.roles.map((x) => x.Name).join(', ');
        throw new TerminalError(
          Reason.UnknownRole,
          `cannot resolve spec.roles ${r.unknown.map((n) => `"${n}"`).join(', ')} in tenant "${connection.tenantId}": no role has that name, RoleTypeId or Id; the tenant's roles are ${known}`,
        );
      }
      if (r.administrator && !obj.spec.allowTenantAdministrator) {
        throw new TerminalError(
          Reason.TenantAdministratorNotAllowed,
          'spec.roles: a role resolves to Tenant Administrator, which may change every client, user and role of the tenant; set allowTenantAdministrator: true to grant it anyway',
        );
      }
    },
    external: (connection, calls) => new SecretClientExternal(connection.dataHub.clientCredentialClients, calls, { create: createBody, update: updateBody }, plans, clock),
    desired: (obj, clientId) => {
      const first = step.firstDescription(obj);
      return plans.plan(desiredCcClient(obj, clientId, cachedRoles(obj)), { description: first.description, validForMs: rotationSettings(obj.spec.secretRotation).validForMs });
    },
    diff: diffCcClient,
    secret: ({ obj, clientId, connection }) => secretContents(obj, clientId, connection.tenantId, connection.baseUrl),
    afterRemote: (ctx) => step.run(ctx),
  };
}
