// The controller's own validation of an AuthorizationCodeClient: the CRD schema again through ajv
// (an object stored before a schema change, or a cluster with an older CRD, must not reach Data
// Hub), plus the rules CEL cannot express. Returns human-readable problems; the engine turns them
// into Stalled/InvalidSpec.
import { AuthorizationCodeClientSchema } from '../../api/schema.generated.ts';
import type { AuthorizationCodeClient } from '../../api/types.generated.ts';
import { pinnedIdProblems, schemaCheck } from '../spec-checks.ts';
import { templateProblems } from './secret-values.ts';

const checkSchema = schemaCheck(AuthorizationCodeClientSchema);

export function specProblems(obj: AuthorizationCodeClient): string[] {
  const schemaProblems = checkSchema(obj);
  if (schemaProblems) return schemaProblems;
  const problems = templateProblems(obj);
  // The CRD's CEL rule, for objects stored before it (redirectUris used to be plainly required).
  if (obj.spec.managementPolicy !== 'Observe' && obj.spec.redirectUris === undefined) {
    problems.push('spec.redirectUris: at least one redirect URI is required (it may be left out only with managementPolicy: Observe)');
  }
  return [...problems, ...pinnedIdProblems(obj)];
}
