// The secret template placeholder rule (the controller's check CEL cannot express), with the
// variables read from the CRD's description of template.data.
import { describe, expect, it } from 'vitest';
import { loadCrds } from '../../../src/validate/crds.ts';
import { knownPlaceholders, placeholderProblem, templateDataSchema } from '../../../src/validate/placeholders.ts';

const acc = loadCrds().lookup('identity.datahub.dev/v1alpha1', 'AuthorizationCodeClient')!.version!.schema;
const known = knownPlaceholders(templateDataSchema(acc)!);

describe('secret template placeholders', () => {
  it('reads the variables the AuthorizationCodeClient CRD documents', () => {
    expect([...known].sort()).toEqual(['authority', 'clientId', 'name', 'namespace', 'redirectUri', 'resource', 'scope', 'tenantId']);
  });

  it.each([
    ['$(authority)/$(unknown)', 'unknown placeholder $(unknown); known: $(clientId), $(tenantId), $(resource), $(authority), $(redirectUri), $(scope), $(namespace), $(name)'],
    ['costs 5$ a month', "a '$' at position 7 must start $(variable) or be written $$"],
    ['id=$(clientId', "the placeholder at position 3 is not closed with ')'"],
    ['ends with $', "a '$' at position 10 must start $(variable) or be written $$"],
  ])('%j: %s', (template, message) => {
    expect(placeholderProblem(template, known)).toBe(message);
  });

  it.each(['', 'plain', '$$(clientId) is $(clientId)', 'client $(clientId) costs 5$$', '$(namespace)/$(name)'])('%j is fine', (template) => {
    expect(placeholderProblem(template, known)).toBeUndefined();
  });

  it('checks only the syntax when a kind documents no variables', () => {
    expect(placeholderProblem('$(anything)', new Set())).toBeUndefined();
    expect(placeholderProblem('$x', new Set())).toMatch(/must start \$\(variable\)/);
  });
});
