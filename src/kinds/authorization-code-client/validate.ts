// The controller's own validation of an AuthorizationCodeClient: the CRD schema again through ajv
// (an object stored before a schema change, or a cluster with an older CRD, must not reach Data
// Hub), plus the rules CEL cannot express. Returns human-readable problems; the engine turns them
// into Stalled/InvalidSpec.
import { Ajv } from 'ajv';
import { AuthorizationCodeClientSchema } from '../../api/schema.generated.ts';
import type { AuthorizationCodeClient } from '../../api/types.generated.ts';
import { sameClientId } from '../../engine/identity.ts';
import { templateProblems } from './secret-values.ts';

const ajv = new Ajv({ allErrors: true, strict: true });
const validateSchema = ajv.compile(AuthorizationCodeClientSchema);

export function specProblems(obj: AuthorizationCodeClient): string[] {
  if (!validateSchema(obj)) {
    return (validateSchema.errors ?? []).map((e) => `${e.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'object'}: ${e.message ?? 'is invalid'}`);
  }
  const problems = templateProblems(obj);
  // The CRD's CEL rule, for objects stored before it (redirectUris used to be plainly required).
  if (obj.spec.managementPolicy !== 'Observe' && obj.spec.redirectUris === undefined) {
    problems.push('spec.redirectUris: at least one redirect URI is required (it may be left out only with managementPolicy: Observe)');
  }
  const pinned = obj.spec.clientId;
  const managed = obj.status?.clientId;
  if (pinned && managed && !sameClientId(pinned, managed)) {
    problems.push(
      `spec.clientId: ${pinned} differs from the client this object already manages (status.clientId ${managed}); ` +
        'delete and re-create the object (deletionPolicy: Orphan keeps the old client) to manage a different client',
    );
  }
  return problems;
}
