// The controller's own validation of a secret-bearing kind: its CRD schema again through ajv (an
// object stored before a schema change, or under an older CRD, must not reach Data Hub), the
// template's placeholders, and a pinned clientId that differs from the client already managed.
// Returns `<field>: <problem>` lines; the engine turns them into Stalled/InvalidSpec.
import { Ajv } from 'ajv';
import type { ClientObject, SecretContents } from '../../engine/kind.ts';
import { sameClientId } from '../../engine/identity.ts';
import { templateProblems } from '../../engine/secret-template.ts';
import { templateVariables } from './secret-values.ts';

const ajv = new Ajv({ allErrors: true, strict: true });

export function specValidator<O extends ClientObject>(schema: object, contents: (obj: O) => SecretContents): (obj: O) => string[] {
  const validateSchema = ajv.compile(schema);
  return (obj) => {
    if (!validateSchema(obj)) {
      return (validateSchema.errors ?? []).map((e) => `${e.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'object'}: ${e.message ?? 'is invalid'}`);
    }
    const problems = templateProblems(obj.spec.secret, templateVariables(contents(obj)));
    const pinned = obj.spec.clientId;
    const managed = obj.status?.clientId;
    if (pinned && managed && !sameClientId(pinned, managed)) {
      problems.push(
        `spec.clientId: ${pinned} differs from the client this object already manages (status.clientId ${managed}); ` +
          'delete and re-create the object (deletionPolicy: Orphan keeps the old client) to manage a different client',
      );
    }
    return problems;
  };
}
