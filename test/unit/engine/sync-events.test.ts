// The Normal events of a sync: one "Created" for a first create with its Secret, "Adopted" for an
// existing client, and — when the kind tells the engine the "existing" client is one this object
// created (its create answer was lost in a crash) — "Created" saying so instead of "Adopted".
import { describe, expect, it } from 'vitest';
import { recordEvents } from '../../../src/engine/sync-events.ts';
import { FakeEvents } from './support.ts';

const OBJ = { apiVersion: 'v', kind: 'K', metadata: { name: 'web', namespace: 'team-a' } };
const ID = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

describe('recordEvents', () => {
  it('a first create with its Secret is one event', () => {
    const e = new FakeEvents();
    recordEvents(e, OBJ, ID, { action: 'created', fields: [] }, 'created', 'web');
    expect(e.sent).toEqual([{ type: 'Normal', reason: 'Created', message: `Created Data Hub client ${ID} and Secret web` }]);
  });

  it('an existing client is Adopted, unless the kind knows this object created it', () => {
    const adopted = new FakeEvents();
    recordEvents(adopted, OBJ, ID, { action: 'adopted', fields: ['Name'] }, 'created', 'web');
    expect(adopted.sent.map((x) => x.reason)).toEqual(['Adopted', 'SecretWritten']);
    const refound = new FakeEvents();
    recordEvents(refound, OBJ, ID, { action: 'adopted', fields: [] }, 'created', 'web', true);
    expect(refound.sent.map((x) => x.reason)).toEqual(['Created', 'SecretWritten']);
    expect(refound.sent[0]?.message).toMatch(/created by this object before the answer was lost/);
    expect(refound.sent[0]?.message).not.toMatch(/Adopted/);
  });
});
