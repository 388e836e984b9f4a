// The managed-Secrets index, on a fake informer: Secrets written by every release so far (owner
// annotation "namespace/name") are the first kind's, found and re-queued without any rewrite; a
// later kind's Secrets ("<Kind>/namespace/name") are its own, even for an object of the same name.
import { describe, expect, it } from 'vitest';
import { Annotation } from '../../../src/api/conditions.ts';
import type { Secret } from '../../../src/api/objects.ts';
import { SecretIndex } from '../../../src/engine/watches.ts';
import type { InformerHandlers } from '../../../src/kube/informer.ts';

class FakeSecrets {
  readonly items = new Map<string, Secret>();
  private handlers: InformerHandlers<Secret>[] = [];
  on(h: InformerHandlers<Secret>): void {
    this.handlers.push(h);
  }
  get(key: string): Secret | undefined {
    return this.items.get(key);
  }
  add(s: Secret): void {
    this.items.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
    for (const h of this.handlers) h.add?.(s);
  }
  delete(s: Secret): void {
    this.items.delete(`${s.metadata.namespace}/${s.metadata.name}`);
    for (const h of this.handlers) h.delete?.(s);
  }
}

const secret = (name: string, owner: string): Secret => ({ metadata: { name, namespace: 'team', annotations: { [Annotation.owner]: owner } } });

describe('SecretIndex', () => {
  it('a Secret of the current release ("namespace/name") is the first kind\'s; a later kind\'s names its kind', () => {
    const informer = new FakeSecrets();
    const changed: string[] = [];
    const index = new SecretIndex(informer, 'AuthorizationCodeClient', (kind, key) => changed.push(`${kind} ${key}`));
    informer.add(secret('web', 'team/web'));
    informer.add(secret('web-ccc', 'ClientCredentialsClient/team/web'));
    expect(changed).toEqual(['AuthorizationCodeClient team/web', 'ClientCredentialsClient team/web']);
    expect(index.managed('AuthorizationCodeClient', 'team/web').map((s) => s.metadata.name)).toEqual(['web']);
    expect(index.managed('ClientCredentialsClient', 'team/web').map((s) => s.metadata.name)).toEqual(['web-ccc']);
  });

  it('forgets a deleted Secret and ignores Secrets without an owner it can read', () => {
    const informer = new FakeSecrets();
    const changed: string[] = [];
    const index = new SecretIndex(informer, 'AuthorizationCodeClient', (kind, key) => changed.push(`${kind} ${key}`));
    const web = secret('web', 'team/web');
    informer.add(web);
    informer.delete(web);
    informer.add(secret('odd', 'not-an-owner'));
    expect(index.managed('AuthorizationCodeClient', 'team/web')).toEqual([]);
    expect(changed).toEqual(['AuthorizationCodeClient team/web', 'AuthorizationCodeClient team/web']);
  });
});
