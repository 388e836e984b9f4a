// The controller's own validation of a secret-bearing kind: its CRD schema again through ajv (an
// object stored before a schema change, or under an older CRD, must not reach Data Hub), the
// template's placeholders, and a pinned clientId that differs from the client already managed.
// Returns `<field>: <problem>` lines; the engine turns them into Stalled/InvalidSpec.
import type { ClientObject, SecretContents } from '../../engine/kind.ts';
import { templateProblems } from '../../engine/secret-template.ts';
import { pinnedIdProblems, schemaCheck } from '../spec-checks.ts';
import { templateVariables } from './secret-values.ts';

export function specValidator<O extends ClientObject>(schema: object, contents: (obj: O) => SecretContents): (obj: O) => string[] {
  const checkSchema = schemaCheck(schema);
  return (obj) => checkSchema(obj) ?? [...templateProblems(obj.spec.secret, templateVariables(contents(obj))), ...pinnedIdProblems(obj)];
}
