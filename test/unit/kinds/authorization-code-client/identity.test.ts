// Pins the client Ids of AuthorizationCodeClients exactly as every release so far derived them
// (uuidv5 of "<instanceId>\n<namespace>\n<name>" in the operator's namespace UUID, values computed
// independently with Python's uuid.uuid5): a change here would make the operator create a second
// Data Hub client for every existing object. A later kind adds its kind to the input instead.
import { describe, expect, it } from 'vitest';
import { clientIdOf } from '../../../../src/engine/identity.ts';
import { AUTHORIZATION_CODE_CLIENT } from '../../../../src/kinds/authorization-code-client/description.ts';
import { acc } from '../../../support/acc-fixtures.ts';

describe('AuthorizationCodeClient client Ids', () => {
  it.each([
    ['instance-1', 'default', 'my-web-app', '03d81dbe-7bdb-5819-8d88-ba53459882d4'],
    ['0c43ffd0-5693-426d-933c-3ff125815434', 'team-a', 'web', '4cbb5ee7-b1be-586b-a9c2-95f4b5d36e14'],
  ])('instance %s, %s/%s → %s', (instance, namespace, name, id) => {
    expect(clientIdOf(AUTHORIZATION_CODE_CLIENT, instance, acc({}, { namespace, name }))).toBe(id);
  });

  it('a pin wins, then the Id already in status', () => {
    const pinned = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
    expect(clientIdOf(AUTHORIZATION_CODE_CLIENT, 'instance-1', acc({ clientId: pinned }))).toBe(pinned.toLowerCase());
    expect(clientIdOf(AUTHORIZATION_CODE_CLIENT, 'instance-1', acc({}, {}, { clientId: 'abc' }))).toBe('abc');
  });

  it('a later kind with the same namespace and name gets another Id (its kind is in the input)', () => {
    const later = { ...AUTHORIZATION_CODE_CLIENT, legacy: false, resource: { ...AUTHORIZATION_CODE_CLIENT.resource, kind: 'ClientCredentialsClient' } };
    const obj = acc({}, { namespace: 'default', name: 'my-web-app' });
    expect(clientIdOf(later, 'instance-1', obj)).toBe('81ca1140-7ad6-5083-a73b-d1a927cb7366');
  });
});
