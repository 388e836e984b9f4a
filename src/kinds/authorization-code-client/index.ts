// The AuthorizationCodeClient kind (a browser web app's Data Hub client): its description, its
// validation, desired state and diff, its Secret contents and its external client, put together as
// the engine's kind contract. Only operator.ts imports this.
import type { AuthorizationCodeClient } from '../../api/types.generated.ts';
import type { ConnectionRegistry } from '../../connections/registry.ts';
import type { AuthorizationCodeClient as RemoteClient } from '../../datahub/index.ts';
import type { Kind } from '../../engine/kind.ts';
import { AUTHORIZATION_CODE_CLIENT } from './description.ts';
import { desiredClient, diffClient, type DesiredClient } from './desired-client.ts';
import { AuthorizationCodeClientExternal } from './external-client.ts';
import { secretContents, secretValues } from './secret-values.ts';
import { specProblems } from './validate.ts';

export function authorizationCodeClientKind(connections: ConnectionRegistry): Kind<AuthorizationCodeClient, DesiredClient, RemoteClient> {
  return {
    description: AUTHORIZATION_CODE_CLIENT,
    validate: specProblems,
    connect: (obj) => connections.resolve(obj),
    external: (connection, calls) => new AuthorizationCodeClientExternal(connection.dataHub.authorizationCodeClients, calls),
    desired: desiredClient,
    diff: diffClient,
    secret: ({ obj, clientId, connection, observed }) => secretContents(secretValues(obj, clientId, connection.tenantId, connection.baseUrl, observed)),
  };
}
