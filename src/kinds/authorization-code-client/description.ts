// What the engine needs to know of the AuthorizationCodeClient resource: its names, its metrics
// label, that it is the first kind (its Ids and Secret owner annotations predate kinds in keys), and
// its default Secret keys (the CRD's CEL rule on spec.secret.template.data lists the same).
import { GROUP, VERSION } from '../../api/conditions.ts';
import { AuthorizationCodeClientPlural } from '../../api/types.generated.ts';
import type { KindDescription } from '../../engine/kind.ts';

export const AUTHORIZATION_CODE_CLIENT: KindDescription = {
  resource: { group: GROUP, version: VERSION, plural: AuthorizationCodeClientPlural, kind: 'AuthorizationCodeClient' },
  controller: 'authorizationcodeclient',
  legacy: true,
  secretKeys: ['clientId', 'tenantId', 'resource', 'authority', 'redirectUri', 'scope'],
};
