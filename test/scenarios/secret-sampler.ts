// Samples, while a scenario runs, every Kubernetes Secret the operator wrote for a secret-bearing
// kind and checks the client secret it holds against the simulator's own state at that moment: a
// Secret holding a secret Data Hub has deleted or that has expired is a violation (design §2 "At no
// moment does the Kubernetes Secret hold a secret that Data Hub has deleted or that has expired").
// A suspect is confirmed by re-reading the Secret: if its resourceVersion did not change between
// the list and the re-read, it held that secret at the moment of the check (no race with a rotation
// in flight can make a false alarm). Also collects every plaintext it saw and the distinct secrets
// each Secret held (the rotations it observed). Reads only; never writes anything.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Simulator } from '../../src/simulator/index.ts';
import { isExpired } from '../../src/simulator/secrets.ts';
import { kubeCall, kubeRequest } from '../support/kube-admin.ts';
import type { Secret as SecretObject } from '../../src/api/objects.ts';
import { sleep } from '../support/wait.ts';
import { decodeSecret as decode, SECRET_KEYS, SECRET_KINDS, type SecretKindName } from './secret-kinds.ts';

export interface DeadSecretSighting {
  secret: string;
  clientId: string;
  problem: 'deleted' | 'expired' | 'no such client';
  at: string;
  resourceVersion: string;
}

export class SecretSampler {
  /** Per Secret name: the Data Hub secret Ids it was seen holding, in order. */
  readonly held = new Map<string, number[]>();
  readonly kindOfSecret = new Map<string, SecretKindName>();
  /** Every client-secret plaintext seen in a Secret (for the leak scan). */
  readonly plaintexts = new Set<string>();
  readonly violations: DeadSecretSighting[] = [];
  samples = 0;
  checks = 0;
  /** Suspects that the re-read showed had already been replaced (a rotation between list and check). */
  racesResolved = 0;
  /** Samples where an operator-owned Secret had no clientSecret key. */
  withoutClientSecret = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly kc: KubeConfig;
  private readonly namespace: string;
  private readonly sim: Simulator;

  constructor(kc: KubeConfig, namespace: string, sim: Simulator) {
    this.kc = kc;
    this.namespace = namespace;
    this.sim = sim;
  }

  start(intervalMs = 250): void {
    this.loop = (async () => {
      while (!this.stopped) {
        await this.sample().catch(() => undefined); // the API server may be slow under load: next round
        await sleep(intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.sample();
  }

  /** Distinct secrets held minus the first, per kind: rotations this sampler saw completed. */
  rotationsObserved(): Record<SecretKindName, number> {
    const out: Record<SecretKindName, number> = { ClientCredentialsClient: 0, HybridClient: 0 };
    for (const [name, ids] of this.held) {
      const kind = this.kindOfSecret.get(name);
      if (kind) out[kind] += Math.max(0, new Set(ids).size - 1);
    }
    return out;
  }

  async sample(): Promise<void> {
    const list = (await kubeCall(this.kc, { method: 'GET', path: `/api/v1/namespaces/${this.namespace}/secrets`, query: { labelSelector: 'identity.datahub.dev/managed=true' } }, 'list Secrets')) as { items: SecretObject[] };
    for (const s of list.items) {
      const owner = s.metadata.ownerReferences?.find((o) => SECRET_KINDS.some((k) => k.name === o.kind));
      if (!owner) continue;
      const data = decode(s);
      const clientId = data[SECRET_KEYS.clientId];
      const plaintext = data[SECRET_KEYS.clientSecret];
      if (!clientId || !plaintext) {
        this.withoutClientSecret++;
        continue;
      }
      this.checks++;
      this.plaintexts.add(plaintext);
      this.kindOfSecret.set(s.metadata.name, owner.kind as SecretKindName);
      const verdict = this.check(clientId, plaintext);
      if (verdict.ok) {
        const ids = this.held.get(s.metadata.name) ?? [];
        if (ids.at(-1) !== verdict.id) ids.push(verdict.id);
        this.held.set(s.metadata.name, ids);
        continue;
      }
      const at = new Date().toISOString();
      // Confirm: the Secret must still be at the version that was checked.
      const again = await kubeRequest(this.kc, { method: 'GET', path: `/api/v1/namespaces/${this.namespace}/secrets/${s.metadata.name}` });
      const rv = again.status === 200 ? (JSON.parse(again.text) as SecretObject).metadata.resourceVersion : undefined;
      if (rv === s.metadata.resourceVersion) this.violations.push({ secret: s.metadata.name, clientId, problem: verdict.problem, at, resourceVersion: rv ?? '' });
      else this.racesResolved++;
    }
    this.samples++;
  }

  private check(clientId: string, plaintext: string): { ok: true; id: number } | { ok: false; problem: DeadSecretSighting['problem'] } {
    const table = this.sim.tenant().secretTable(clientId);
    if (!table) return { ok: false, problem: 'no such client' };
    const stored = table.secrets.match(clientId, plaintext);
    if (!stored) return { ok: false, problem: 'deleted' };
    if (isExpired(stored, this.sim.state.clock.now())) return { ok: false, problem: 'expired' };
    return { ok: true, id: stored.Id };
  }
}
