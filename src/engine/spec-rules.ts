// The spec rules every client kind shares, checked by the engine so no kind repeats them: Observe
// needs a pinned client Id, and a Secret template must not redefine the kind's default keys. The
// CRDs hold the same rules as CEL; this catches objects stored before a rule existed. Pure.
import type { ClientObject, KindDescription } from './kind.ts';

/** managementPolicy Observe: the remote client is only read. */
export function observes(obj: ClientObject): boolean {
  return obj.spec.managementPolicy === 'Observe';
}

/** Problems with the shared fields, as `<field>: <problem>` lines. */
export function sharedSpecProblems(obj: ClientObject, description: KindDescription): string[] {
  const problems: string[] = [];
  if (observes(obj) && !obj.spec.clientId) problems.push('spec.clientId: managementPolicy Observe needs the Id of the existing Data Hub client to observe');
  const reserved = new Set(description.secretKeys);
  for (const key of Object.keys(obj.spec.secret?.template?.data ?? {})) {
    if (reserved.has(key)) {
      problems.push(
        `spec.secret.template.data[${key}]: must not use the default Secret keys ${description.secretKeys.join(', ')}: ` +
          'the operator writes them; pick another key name',
      );
    }
  }
  return problems;
}
