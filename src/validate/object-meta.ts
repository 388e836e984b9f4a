// The metadata checks the API server makes on every custom resource it creates: a name (or
// generateName) that is a DNS subdomain, a namespace that is a DNS label, valid label and
// annotation keys and label values. Only what a manifest can get wrong; pure.
import { isObject, type FieldProblem } from './schema.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

const SUBDOMAIN_RULE = "must be a lowercase RFC 1123 subdomain: lower case letters, digits, '-' or '.', starting and ending with a letter or digit, at most 253 characters";

function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `the prefix of key "${key}" ${SUBDOMAIN_RULE}`;
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `key "${key}" must be a qualified name: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, with an optional DNS subdomain prefix and '/'`;
  }
  return undefined;
}

export function objectMetaProblems(meta: unknown, namespaced: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const report = (path: (string | { key: string })[], message: string): number => problems.push({ path: ['metadata', ...path], message, check: 'object' });
  if (!isObject(meta)) {
    report([], 'Required value: name or generateName is required');
    return problems;
  }
  const { name, generateName, namespace, labels, annotations } = meta;
  if (typeof name === 'string' && name !== '') {
    if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) report(['name'], SUBDOMAIN_RULE);
  } else if (typeof generateName !== 'string' || generateName === '') report(['name'], 'Required value: name or generateName is required');
  if (namespaced && typeof namespace === 'string' && namespace !== '' && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    report(['namespace'], "must be a lowercase RFC 1123 label: lower case letters, digits or '-', starting and ending with a letter or digit, at most 63 characters");
  }
  for (const [field, map] of [['labels', labels], ['annotations', annotations]] as const) {
    if (map === undefined || map === null) continue;
    if (!isObject(map)) {
      report([field], 'must be a map of strings');
      continue;
    }
    for (const [key, value] of Object.entries(map)) {
      const keyProblem = qualifiedNameProblem(key);
      if (keyProblem) report([field, { key }], keyProblem);
      if (typeof value !== 'string') report([field, { key }], 'must be a string');
      else if (field === 'labels' && (value.length > 63 || !LABEL_VALUE.test(value))) {
        report([field, { key }], "must be a valid label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
      }
    }
  }
  return problems;
}
