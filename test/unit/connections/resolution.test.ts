// The connection resolution rules (design §2 "Connections"), as a pure function over small in-memory
// facts: own-namespace DataHubConnections only, ClusterDataHubConnections only where the selector
// admits the namespace, unknown facts fail closed (not ready, never allowed).
import { describe, expect, it } from 'vitest';
import { connectionKey } from '../../../src/connections/connection-keys.ts';
import { selectorMatches } from '../../../src/connections/label-selector.ts';
import { resolveRef, type ConnectionView, type ResolutionFacts } from '../../../src/connections/resolution.ts';

function facts(connections: Record<string, ConnectionView>, namespaces: Record<string, Record<string, string>>): ResolutionFacts {
  return { connection: (key) => connections[key], namespaceLabels: (ns) => namespaces[ns] };
}

const own = connectionKey('DataHubConnection', 'team-a', 'tenant');
const shared = connectionKey('ClusterDataHubConnection', undefined, 'shared');
const world = facts(
  { [own]: { deleting: false }, [shared]: { deleting: false, namespaceSelector: { matchLabels: { tier: 'shared' } } } },
  { 'team-a': { tier: 'shared' }, 'team-b': {} },
);

describe('resolveRef', () => {
  it('uses the default connection without a reference', () => {
    expect(resolveRef('team-a', undefined, world)).toEqual({ kind: 'use', key: 'default' });
  });

  it('resolves a DataHubConnection in the object namespace only', () => {
    expect(resolveRef('team-a', { kind: 'DataHubConnection', name: 'tenant' }, world)).toEqual({ kind: 'use', key: own });
    const other = resolveRef('team-b', { kind: 'DataHubConnection', name: 'tenant' }, world);
    expect(other.kind).toBe('not-ready');
    expect(other.key).toBe(connectionKey('DataHubConnection', 'team-b', 'tenant'));
  });

  it('admits a ClusterDataHubConnection only where its selector matches', () => {
    expect(resolveRef('team-a', { kind: 'ClusterDataHubConnection', name: 'shared' }, world)).toEqual({ kind: 'use', key: shared });
    expect(resolveRef('team-b', { kind: 'ClusterDataHubConnection', name: 'shared' }, world).kind).toBe('not-allowed');
  });

  it('fails closed on a namespace not known yet and on an invalid selector', () => {
    expect(resolveRef('team-c', { kind: 'ClusterDataHubConnection', name: 'shared' }, world).kind).toBe('not-ready');
    const invalid = facts({ [shared]: { deleting: false, namespaceSelector: {}, selectorInvalid: true } }, { 'team-a': {} });
    expect(resolveRef('team-a', { kind: 'ClusterDataHubConnection', name: 'shared' }, invalid).kind).toBe('not-allowed');
  });

  it('refuses an unknown kind', () => {
    expect(resolveRef('team-a', { kind: 'Secret' as 'DataHubConnection', name: 'x' }, world).kind).toBe('not-allowed');
  });

  it('lets only objects being deleted use a connection being deleted', () => {
    const deleting = facts({ [own]: { deleting: true } }, {});
    expect(resolveRef('team-a', { kind: 'DataHubConnection', name: 'tenant' }, deleting).kind).toBe('not-ready');
    expect(resolveRef('team-a', { kind: 'DataHubConnection', name: 'tenant' }, deleting, true)).toEqual({ kind: 'use', key: own });
  });
});

describe('selectorMatches', () => {
  it('ANDs matchLabels and matchExpressions', () => {
    const s = { matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'In' as const, values: ['x', 'y'] }, { key: 'c', operator: 'DoesNotExist' as const }] };
    expect(selectorMatches(s, { a: '1', b: 'x' })).toBe(true);
    expect(selectorMatches(s, { a: '1', b: 'z' })).toBe(false);
    expect(selectorMatches(s, { a: '1', b: 'x', c: '' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['x'] }] }, {})).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'b', operator: 'Exists' }] }, {})).toBe(false);
  });
});
