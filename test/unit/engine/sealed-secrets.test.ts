// The engine's seams for kinds that carry a secret whose plaintext exists once, on fakes: the step
// before remote calls (beforeRemote), the Secret checked before anything is made (preflight), sealed
// values written fresh and then kept without the plaintext ever being read back or cached, a hand
// edit seen as "no longer held", a fresh value surviving a stale cache, and what the kind's step is
// told (the cached Secret, forced, events) and may add (annotations, a Ready message).
import { describe, expect, it } from 'vitest';
import { Annotation, FINALIZER } from '../../../src/api/conditions.ts';
import type { Secret } from '../../../src/api/objects.ts';
import { TerminalError } from '../../../src/engine/errors.ts';
import type { KindStepResult, StepContext } from '../../../src/engine/kind.ts';
import { holdsSealed, SEALED_PREFIX, sealedDigest, sealSecret } from '../../../src/engine/secret-seal.ts';
import { contentHash } from '../../../src/engine/secret-template.ts';
import { KubeApiError } from '../../../src/kube/kube-http.ts';
import { harness, widget, type Widget, type WidgetDesired, type WidgetRemote } from './support.ts';

const PLAIN = 'the-only-copy-of-a-client-secret-0123456789';
type Ctx = StepContext<Widget, WidgetDesired, WidgetRemote>;
const decoded = (s: Secret | undefined): Record<string, string> => Object.fromEntries(Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
const readyMessage = (w: Widget): string | undefined => w.status?.conditions?.find((c) => c.type === 'Ready')?.message;

/** A step that writes PLAIN fresh on the first reconcile and keeps it afterwards. */
function sealedStep(seen: Ctx[] = []): (ctx: Ctx) => Promise<KindStepResult> {
  return (ctx) => {
    seen.push(ctx);
    const fresh = !holdsSealed(ctx.secret, 'clientSecret');
    return Promise.resolve({
      sealed: { clientSecret: fresh ? { plaintext: PLAIN } : { keep: true } },
      secret: { tokenUrl: 'https://dh.example.com/identity/connect/token' },
      secretAnnotations: { 'identity.datahub.dev/client-secret': '1/1' },
      message: 'client secret 1 expires 2030-01-01T00:00:00Z',
    });
  };
}

describe('sealed Secret values', () => {
  it('are written once, cached only as a digest, kept without a read, and change the content hash', async () => {
    const seen: Ctx[] = [];
    const h = harness({ afterRemote: sealedStep(seen) });
    await h.reconcile(widget());
    const live = h.kube.secrets.get('team-a/web')!;
    expect(decoded(live)).toMatchObject({ clientSecret: PLAIN, tokenUrl: 'https://dh.example.com/identity/connect/token' });
    const digest = sealedDigest(PLAIN);
    expect(live.metadata.annotations).toMatchObject({ [Annotation.sealed]: `clientSecret=${digest}`, 'identity.datahub.dev/client-secret': '1/1' });
    expect(live.metadata.annotations?.[Annotation.secretKeys]).toBe('clientId,clientSecret,tenantId,title,tokenUrl');
    // The cache has no plaintext, only the digest of what is there.
    const cached = h.secrets.get('team-a/web')!;
    expect(JSON.stringify(cached)).not.toContain(Buffer.from(PLAIN).toString('base64'));
    expect(cached.data?.clientSecret).toBe(SEALED_PREFIX + digest);
    const plain = { clientId: decoded(live).clientId!, tenantId: decoded(live).tenantId!, title: decoded(live).title!, tokenUrl: decoded(live).tokenUrl! };
    expect(live.metadata.annotations?.[Annotation.secretHash]).toBe(contentHash(plain, { clientSecret: digest }));
    expect(readyMessage(h.current())).toMatch(/is written; client secret 1 expires 2030-01-01T00:00:00Z$/);

    // Next reconcile keeps it: nothing written, nothing read back.
    const writes = h.kube.writes.length;
    await h.reconcile();
    expect(h.kube.writes.slice(writes)).toEqual([]);
    expect(seen[1]?.secret?.data?.clientSecret).toBe(SEALED_PREFIX + digest);
    expect(seen[1]?.forced).toBe(false);
  });

  it('a template change is written by a merge patch that leaves the kept value where it is', async () => {
    const h = harness({ afterRemote: sealedStep() });
    await h.reconcile(widget());
    await h.reconcile({ ...h.current(), metadata: { ...h.current().metadata, generation: 2 }, spec: { ...h.current().spec, secret: { template: { labels: { team: 'a' }, data: { note: 'x' } } } } });
    const live = h.kube.secrets.get('team-a/web')!;
    expect(h.kube.writes.filter((w) => w === 'patchSecret')).toHaveLength(1);
    expect(decoded(live)).toMatchObject({ clientSecret: PLAIN, note: 'x' });
    expect(live.metadata.labels?.team).toBe('a');
    expect(live.metadata.ownerReferences?.[0]?.uid).toBe('uid-1');
  });

  it('a hand edit of the sealed value shows: the Secret no longer holds it, and keeping it is refused', async () => {
    const h = harness({ afterRemote: (ctx) => Promise.resolve({ sealed: { clientSecret: ctx.secret ? { keep: true } : { plaintext: PLAIN } } }) });
    await h.reconcile(widget());
    const edited = { ...h.kube.secrets.get('team-a/web')!, data: { ...h.kube.secrets.get('team-a/web')!.data, clientSecret: Buffer.from('typed by hand').toString('base64') } };
    h.kube.secrets.set('team-a/web', edited);
    h.secrets.remember(sealSecret(edited));
    expect(holdsSealed(h.secrets.get('team-a/web'), 'clientSecret')).toBe(false);
    const result = await h.reconcile();
    expect(result).toMatchObject({ kind: 'failed', failure: { verdict: 'retry' } });
    expect(decoded(h.kube.secrets.get('team-a/web')).clientSecret).toBe('typed by hand');
  });

  it('a fresh value survives a stale cache: the write is retried on a conflict, re-reading the Secret', async () => {
    let n = 0;
    const h = harness({ afterRemote: () => Promise.resolve({ sealed: { clientSecret: { plaintext: `fresh-client-secret-number-${++n}-0123456789` } } }) });
    await h.reconcile(widget());
    h.kube.failNext.replaceSecret = [new KubeApiError('conflict', 409, 'Conflict'), new KubeApiError('conflict', 409, 'Conflict')];
    const result = await h.reconcile();
    expect(result.kind).toBe('done');
    expect(h.kube.writes.filter((w) => w === 'replaceSecret')).toHaveLength(3);
    expect(decoded(h.kube.secrets.get('team-a/web')).clientSecret).toBe('fresh-client-secret-number-2-0123456789');
  });
});

describe('the steps around remote calls', () => {
  it('beforeRemote runs before desired() and any remote call; its TerminalError stalls with no call made', async () => {
    const h = harness({ beforeRemote: () => Promise.reject(new TerminalError('InvalidSpec', 'spec.roles: "Auditors" is not a role of the tenant')) });
    const result = await h.reconcile(widget());
    expect(result).toMatchObject({ kind: 'failed', failure: { verdict: 'stop', reason: 'InvalidSpec' } });
    expect(h.remote.calls).toEqual([]);
  });

  it('preflight: a kind with a step of its own never creates anything while a foreign Secret blocks its Secret', async () => {
    const h = harness({ afterRemote: sealedStep() });
    h.kube.secrets.set('team-a/web', { metadata: { name: 'web', namespace: 'team-a' }, data: { keep: 'bWU=' } });
    const result = await h.reconcile(widget());
    expect(result).toMatchObject({ kind: 'failed', failure: { reason: 'SecretConflict', verdict: 'stop' } });
    expect(h.remote.calls).toEqual([]);
    expect(h.current().metadata.finalizers).toEqual([FINALIZER]);
  });

  it('the step is told about a forced reconcile and may send events', async () => {
    const seen: Ctx[] = [];
    const h = harness({
      afterRemote: (ctx) => {
        seen.push(ctx);
        ctx.events.normal(ctx.obj, 'SecretRotated', 'rotated');
        return Promise.resolve({});
      },
    });
    await h.reconcile(widget({}, { annotations: { [Annotation.reconcileRequestedAt]: 'now' } }));
    expect(seen[0]?.forced).toBe(true);
    expect(h.events.sent.map((e) => e.reason)).toContain('SecretRotated');
  });
});
