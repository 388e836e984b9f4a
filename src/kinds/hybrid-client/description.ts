// What the engine needs to know of the HybridClient resource: its names, its metrics label and its
// default Secret keys (the CRD's CEL rule on spec.secret.template.data lists the same). Not legacy:
// the kind is part of its derived client Ids and of its Secrets' owner annotation.
import { GROUP, VERSION } from '../../api/conditions.ts';
import { HybridClientPlural } from '../../api/types.generated.ts';
import type { KindDescription } from '../../engine/kind.ts';

export const HYBRID_CLIENT: KindDescription = {
  resource: { group: GROUP, version: VERSION, plural: HybridClientPlural, kind: 'HybridClient' },
  controller: 'hybridclient',
  secretKeys: ['clientId', 'tenantId', 'resource', 'authority', 'redirectUri', 'scope', 'tokenUrl', 'clientSecret', 'secretExpiresAt'],
};
