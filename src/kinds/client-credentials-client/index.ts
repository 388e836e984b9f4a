// The ClientCredentialsClient kind (a service's Data Hub client, with roles and a client secret the
// operator rotates): its description, role resolution (a directory per connection, read before any
// remote call), desired state and diff, Secret contents and Data Hub collections, put together by
// the secret-bearing kinds' builder (client-secrets/secret-kind.ts). Only operator.ts imports this.
import { Reason } from '../../api/conditions.ts';
import { ClientCredentialsClientSchema } from '../../api/schema.generated.ts';
import type { ClientCredentialsClient } from '../../api/types.generated.ts';
import { systemClock } from '../../clock.ts';
import type { Connection } from '../../connections/connection.ts';
import type { ClientCredentialClient } from '../../datahub/index.ts';
import { TerminalError } from '../../engine/errors.ts';
import type { Kind } from '../../engine/kind.ts';
import { Priority } from '../../workqueue/work-queue.ts';
import type { MaybeIssued } from '../client-secrets/rotation-step.ts';
import { secretKind, type SecretKindDeps } from '../client-secrets/secret-kind.ts';
import { CLIENT_CREDENTIALS_CLIENT } from './description.ts';
import { createBody, desiredCcClient, diffCcClient, updateBody, type DesiredCcClient } from './desired-client.ts';
import { RoleDirectory } from './role-directory.ts';
import { secretContents } from './secret-values.ts';

/** What Data Hub answers: a client, and right after the create the first secret with it. */
export type CcRemote = ClientCredentialClient & MaybeIssued;

export function clientCredentialsClientKind(deps: SecretKindDeps): Kind<ClientCredentialsClient, DesiredCcClient, CcRemote> {
  const clock = deps.clock ?? systemClock;
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
  return secretKind<ClientCredentialsClient, DesiredCcClient, ClientCredentialClient, ReturnType<typeof createBody>, ReturnType<typeof updateBody>>(
    {
      description: CLIENT_CREDENTIALS_CLIENT,
      schema: ClientCredentialsClientSchema,
      desired: (obj, clientId) => desiredCcClient(obj, clientId, cachedRoles(obj)),
      diff: diffCcClient,
      bodies: { create: createBody, update: updateBody },
      contents: (obj, clientId, connection) => secretContents(obj, clientId, connection.tenantId, connection.baseUrl),
      clients: (c) => c.dataHub.clientCredentialClients,
      secrets: (c) => c.dataHub.clientCredentialClientSecrets,
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
    },
    deps,
  );
}
