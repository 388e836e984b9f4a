// What the engine needs to know of the ClientCredentialsClient resource: its names, its metrics
// label and its default Secret keys (the CRD's CEL rule on spec.secret.template.data lists the same).
// Not legacy: the kind is part of its derived client Ids and of its Secrets' owner annotation.
import { GROUP, VERSION } from '../../api/conditions.ts';
import { ClientCredentialsClientPlural } from '../../api/types.generated.ts';
import type { KindDescription } from '../../engine/kind.ts';

export const CLIENT_CREDENTIALS_CLIENT: KindDescription = {
  resource: { group: GROUP, version: VERSION, plural: ClientCredentialsClientPlural, kind: 'ClientCredentialsClient' },
  controller: 'clientcredentialsclient',
  secretKeys: ['clientId', 'tenantId', 'resource', 'authority', 'tokenUrl', 'clientSecret', 'secretExpiresAt'],
};
