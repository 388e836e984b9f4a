// kstatus semantics (what Flux, `kubectl wait` and cli-utils appliers use) on real objects from the
// real API server: a brand-new object is InProgress, a Ready object is Current only while
// observedGeneration equals generation, a spec change is InProgress until reconciled, a Stalled
// object is Failed and a retrying one InProgress; `kubectl wait --for=condition=Ready` works.
// kstatus is the real one: sigs.k8s.io/cli-utils' status.Compute (and Flux's fork of it, which must
// agree), run by the test/gitops-health tool; the generic rules for custom resources are checked on
// hand-built objects first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.ts';
import { gitopsHealth, gitopsHealthBinary } from '../gitops-health/gitops-health.ts';
import { kubeCall, kubectl, kubeRequest } from '../support/kube-admin.ts';
import { accPath, cleanupHarness, cluster, createAcc, eventually, getAcc, patchAcc, startOperator, startTestSimulator, testNamespace, waitCondition, waitReady, type Acc, type OperatorProcess } from '../support/operator-harness.ts';

type KStatus = 'InProgress' | 'Current' | 'Failed' | 'Terminating';

interface KObject {
  metadata: { generation?: number; deletionTimestamp?: string };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/** kstatus' Compute, from cli-utils itself; Flux's fork must say the same. */
async function kstatus(obj: KObject): Promise<{ status: KStatus; message: string }> {
  const [health] = await gitopsHealth([{ apiVersion: 'identity.datahub.dev/v1alpha1', kind: 'AuthorizationCodeClient', ...obj }]);
  if (!health) throw new Error('cannot compute kstatus: no result');
  expect(health.kstatus.error, 'kstatus returned an error').toBeUndefined();
  expect(health.fluxKstatus, "Flux's kstatus fork disagrees with cli-utils").toEqual(health.kstatus);
  return { status: health.kstatus.status as KStatus, message: health.kstatus.message };
}

const ready = (s: string): { type: string; status: string } => ({ type: 'Ready', status: s });

describe('kstatus (sigs.k8s.io/cli-utils) on hand-built objects', () => {
  beforeAll(async () => {
    await gitopsHealthBinary(); // built by scripts/test.sh; a cold build takes minutes
  }, 30 * 60_000);

  it.each([
    { what: 'no status at all (upstream: Current)', obj: { metadata: { generation: 1 } }, want: 'Current' },
    { what: 'observedGeneration -1', obj: { metadata: { generation: 1 }, status: { observedGeneration: -1 } }, want: 'InProgress' },
    { what: 'Ready=True, observed current', obj: { metadata: { generation: 2 }, status: { observedGeneration: 2, conditions: [ready('True')] } }, want: 'Current' },
    { what: 'Ready=True, observed stale', obj: { metadata: { generation: 3 }, status: { observedGeneration: 2, conditions: [ready('True')] } }, want: 'InProgress' },
    { what: 'Ready=False', obj: { metadata: { generation: 1 }, status: { observedGeneration: 1, conditions: [ready('False')] } }, want: 'InProgress' },
    { what: 'Ready=Unknown', obj: { metadata: { generation: 1 }, status: { observedGeneration: 1, conditions: [ready('Unknown')] } }, want: 'InProgress' },
    { what: 'Reconciling=True beats Ready=True', obj: { metadata: { generation: 1 }, status: { observedGeneration: 1, conditions: [ready('True'), { type: 'Reconciling', status: 'True' }] } }, want: 'InProgress' },
    { what: 'Stalled=True', obj: { metadata: { generation: 1 }, status: { observedGeneration: 1, conditions: [ready('False'), { type: 'Stalled', status: 'True' }] } }, want: 'Failed' },
    { what: 'Stalled=True but stale generation', obj: { metadata: { generation: 2 }, status: { observedGeneration: 1, conditions: [{ type: 'Stalled', status: 'True' }] } }, want: 'InProgress' },
    { what: 'deleting', obj: { metadata: { generation: 1, deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { observedGeneration: 1, conditions: [ready('True')] } }, want: 'Terminating' },
  ] as { what: string; obj: KObject; want: KStatus }[])('$what → $want', async ({ obj, want }) => {
    expect((await kstatus(obj)).status).toBe(want);
  });
});

let sim: Simulator;
let ns: string;
let operator: OperatorProcess | undefined;

beforeAll(async () => {
  sim = await startTestSimulator();
  ns = await testNamespace('kstatus');
});

afterAll(async () => {
  const { kc } = await cluster();
  operator ??= await startOperator({ simulator: sim, namespaces: [ns] });
  await kubeRequest(kc, { method: 'DELETE', path: accPath(ns) });
  await eventually('objects deleted', async () => ((await kubeCall(kc, { method: 'GET', path: accPath(ns) }, 'list')) as { items: unknown[] }).items.length === 0, 60_000).catch(() => undefined);
  await operator.stop();
  await sim?.close();
  cleanupHarness();
});

const spec = (name: string): Record<string, unknown> => ({ redirectUris: [`https://${name}.example.com/callback`] });
const statusOf = async (name: string): Promise<{ status: KStatus; message: string; acc: Acc }> => {
  const acc = await getAcc(ns, name);
  if (!acc) throw new Error(`${ns}/${name} is gone`);
  return { ...(await kstatus(acc)), acc };
};

describe('kstatus on real AuthorizationCodeClients', () => {
  it('a brand-new object, not yet seen by the operator, is InProgress (never Current)', async () => {
    // No operator runs yet: this is what Flux sees between apply and the first reconcile.
    await createAcc(ns, 'fresh', spec('fresh'));
    const { status, acc } = await statusOf('fresh');
    expect(acc.metadata.generation).toBe(1);
    // With no status at all kstatus falls through to "Current": only a status the API server fills
    // in on read (the CRD's default status.observedGeneration: -1) keeps Flux waiting.
    expect(status, `kstatus of a brand-new object with status ${JSON.stringify(acc.status)}`).toBe('InProgress');
    expect(acc.status?.observedGeneration).toBe(-1);
  });

  it('a Ready object is Current, with observedGeneration equal to generation', async () => {
    operator = await startOperator({ simulator: sim, namespaces: [ns] });
    const acc = await waitReady(ns, 'fresh');
    expect(acc.status?.observedGeneration).toBe(acc.metadata.generation);
    expect((await kstatus(acc as KObject)).status).toBe('Current');
  });

  it('after a spec change it is InProgress until the operator has reconciled the new generation', async () => {
    // Operator stopped: the spec change cannot be observed, Ready=True from generation 1 stays.
    expect((await operator!.stop()).code).toBe(0);
    operator = undefined;
    const patched = await patchAcc(ns, 'fresh', { spec: { redirectUris: ['https://fresh.example.com/v2'] } });
    expect(patched.metadata.generation).toBe(2);
    const stale = await statusOf('fresh');
    expect(stale.acc.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(stale.acc.status?.observedGeneration).toBe(1);
    expect(stale.status).toBe('InProgress');
    expect(stale.message).toContain('generation is 2, but latest observed generation is 1');

    // Operator running, Data Hub slow: sample until Current; nothing before it may be Current. The
    // samples are taken every 50 ms and evaluated together afterwards (one run of kstatus for all);
    // sampling stops at the first Ready=True for generation 2, which kstatus must then call Current.
    sim.faults.update({ latencyMs: 1_500 });
    try {
      operator = await startOperator({ simulator: sim, namespaces: [ns] });
      const samples: Acc[] = [];
      await eventually('Ready at generation 2', async () => {
        const acc = await getAcc(ns, 'fresh');
        if (acc) samples.push(acc);
        return acc?.status?.observedGeneration === 2 && acc.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      }, 60_000, 50);
      const seen = (await gitopsHealth(samples)).map((h, i) => ({ status: h.kstatus.status as KStatus, observed: samples[i]!.status?.observedGeneration }));
      const last = seen.at(-1)!;
      expect(last).toEqual({ status: 'Current', observed: 2 });
      expect(seen.slice(0, -1).every((s) => s.status === 'InProgress')).toBe(true);
      expect(seen.filter((s) => s.status === 'InProgress').length).toBeGreaterThan(3);
      expect(sim.clients.get((await getAcc(ns, 'fresh'))?.status?.clientId ?? '')?.RedirectUris).toEqual(['https://fresh.example.com/v2']);
    } finally {
      sim.faults.clear();
    }
  });

  it('a Stalled object (SecretConflict) is Failed', async () => {
    const { kc } = await cluster();
    await kubeCall(kc, { method: 'POST', path: `/api/v1/namespaces/${ns}/secrets`, body: { metadata: { name: 'someone-elses' }, stringData: { keep: 'me' } } }, 'create foreign Secret');
    await createAcc(ns, 'stalled', { ...spec('stalled'), secret: { name: 'someone-elses' } });
    const acc = await waitCondition(ns, 'stalled', 'Stalled', 'True', 'SecretConflict');
    const s = await kstatus(acc);
    expect(s.status).toBe('Failed');
    expect(s.message).toContain('someone-elses');
  });

  it('an object retrying against an unavailable Data Hub is InProgress, then Current after recovery', async () => {
    sim.faults.update({ errors: [{ status: 503, rate: 1 }] });
    try {
      await createAcc(ns, 'retrying', spec('retrying'));
      const acc = await waitCondition(ns, 'retrying', 'Ready', 'False', 'RemoteUnavailable', 60_000);
      expect((await kstatus(acc as KObject)).status).toBe('InProgress');
      expect(acc.status?.conditions?.find((c) => c.type === 'Stalled')).toBeUndefined();
    } finally {
      sim.faults.clear();
    }
    const recovered = await waitReady(ns, 'retrying', 90_000);
    expect((await kstatus(recovered as KObject)).status).toBe('Current');
  });

  it('kubectl wait --for=condition=Ready returns for a Ready object and times out for a Stalled one', async () => {
    const { info } = await cluster();
    const ok = await kubectl(info, ['wait', '-n', ns, '--for=condition=Ready', '--timeout=30s', 'authorizationcodeclient/fresh']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe('authorizationcodeclient.identity.datahub.dev/fresh condition met');
    // The short name and category work too.
    const short = await kubectl(info, ['wait', '-n', ns, '--for=condition=Ready', '--timeout=30s', 'acc/fresh']);
    expect(short.code).toBe(0);
    const stalled = await kubectl(info, ['wait', '-n', ns, '--for=condition=Ready', '--timeout=2s', 'acc/stalled']);
    expect(stalled.code).not.toBe(0);
    expect(stalled.stderr).toContain('timed out');
    const failed = await kubectl(info, ['wait', '-n', ns, '--for=condition=Stalled', '--timeout=10s', 'acc/stalled']);
    expect(failed.code).toBe(0);
    // Waiting for the observed generation as well, as a careful pipeline does.
    const acc = await getAcc(ns, 'fresh');
    const gen = await kubectl(info, ['wait', '-n', ns, `--for=jsonpath={.status.observedGeneration}=${acc?.metadata.generation}`, '--timeout=10s', 'acc/fresh']);
    expect(gen.code).toBe(0);
  });
});
