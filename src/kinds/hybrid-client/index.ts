// The HybridClient kind (a server-side web app's Data Hub client: redirect URIs like an
// authorization code client, and a client secret the operator rotates): its description, desired
// state and diff, Secret contents and Data Hub collections, put together by the secret-bearing
// kinds' builder (client-secrets/secret-kind.ts). Only operator.ts imports this.
import { HybridClientSchema } from '../../api/schema.generated.ts';
import type { HybridClient } from '../../api/types.generated.ts';
import type { HybridClient as RemoteClient } from '../../datahub/index.ts';
import type { Kind } from '../../engine/kind.ts';
import type { MaybeIssued } from '../client-secrets/rotation-step.ts';
import { secretKind, type SecretKindDeps } from '../client-secrets/secret-kind.ts';
import { HYBRID_CLIENT } from './description.ts';
import { createBody, desiredHybridClient, diffHybridClient, updateBody, type DesiredHybridClient } from './desired-client.ts';
import { secretContents } from './secret-values.ts';

export type HybridRemote = RemoteClient & MaybeIssued;

export function hybridClientKind(deps: SecretKindDeps): Kind<HybridClient, DesiredHybridClient, HybridRemote> {
  return secretKind<HybridClient, DesiredHybridClient, RemoteClient, ReturnType<typeof createBody>, ReturnType<typeof updateBody>>(
    {
      description: HYBRID_CLIENT,
      schema: HybridClientSchema,
      desired: desiredHybridClient,
      diff: diffHybridClient,
      bodies: { create: createBody, update: updateBody },
      contents: (obj, clientId, connection, observed) => secretContents(obj, clientId, connection.tenantId, connection.baseUrl, observed),
      clients: (c) => c.dataHub.hybridClients,
      secrets: (c) => c.dataHub.hybridClientSecrets,
    },
    deps,
  );
}
