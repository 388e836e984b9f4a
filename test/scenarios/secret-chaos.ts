// The work the secret crash-safety scenario throws at the operator while it is being killed: objects
// of both secret kinds created in seeded bursts, rotate-now annotations on random objects, and a
// secret "made by a person in the portal" on a few clients (which the operator must never touch).
// Also the kill accounting (what each kill landed on). No verdicts on the operator here.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Simulator } from '../../src/simulator/index.ts';
import { sleep } from '../support/wait.ts';
import { between } from './common.ts';
import { ROTATE_REQUESTED_AT, secretBearersOn, type SecretBearer, type SecretKind, type SecretKindName } from './secret-kinds.ts';

export interface ChaosOptions {
  kc: KubeConfig;
  ns: string;
  sim: Simulator;
  random: () => number;
  /** How long the kill phase is expected to last: creates and requests are spread over it. */
  spanMs: number;
  kinds: readonly SecretKind[];
  perKind: number;
  /** Objects 0..scheduledPerKind-1 of each kind rotate on a short schedule. */
  scheduledPerKind: number;
  requestedPerKind: number;
  specOf(kind: SecretKind, index: number, name: string): Record<string, unknown>;
}

export interface ChaosFigures {
  kills: number;
  killsInFlight: number;
  killsRightAfterSecretCreate: number;
  killsAfterRotation: number;
  killsAfterWork: number;
  rotateRequests: number;
  portalSecrets: number;
}

/** A request for the same object again only after this long (more than its grace period). */
const MIN_REQUEST_SPACING_MS = 15_000;
const PORTAL_DESCRIPTION = 'made by a person in the portal';
const PORTAL_PER_KIND = 2;

export class SecretChaos {
  private readonly o: ChaosOptions;
  private readonly created = new Map<SecretKindName, string[]>();
  private readonly lastRequest = new Map<string, { value: string; at: number }>();
  private readonly portal: { kind: SecretKind; clientId: string; secretId: number }[] = [];
  private readonly kill = { kills: 0, killsInFlight: 0, killsRightAfterSecretCreate: 0, killsAfterRotation: 0, killsAfterWork: 0 };
  private requests = 0;

  constructor(options: ChaosOptions) {
    this.o = options;
    for (const k of options.kinds) this.created.set(k.name, []);
  }

  nameOf(kind: SecretKind, i: number): string {
    return `${kind.prefix}${String(i).padStart(3, '0')}`;
  }

  scheduled(kind: SecretKind): string[] {
    return Array.from({ length: Math.min(this.o.scheduledPerKind, this.o.perKind) }, (_, i) => this.nameOf(kind, i));
  }

  async run(): Promise<void> {
    await Promise.all([this.create(), this.requestRotations()]);
  }

  /** Both kinds interleaved, in bursts of 1-8, over the first 60% of the span. */
  private async create(): Promise<void> {
    const all = Array.from({ length: this.o.perKind }, (_, i) => this.o.kinds.map((kind) => ({ kind, i }))).flat();
    const t0 = Date.now();
    const spread = this.o.spanMs * 0.6;
    for (let n = 0; n < all.length; ) {
      const burst = all.slice(n, n + between(this.o.random, 1, 8));
      await Promise.all(
        burst.map(async ({ kind, i }) => {
          const name = this.nameOf(kind, i);
          await secretBearersOn(this.o.kc, kind).create(this.o.ns, name, this.o.specOf(kind, i, name));
          this.created.get(kind.name)!.push(name);
        }),
      );
      n += burst.length;
      await sleep(Math.max(0, t0 + (n * spread) / all.length - Date.now()));
    }
  }

  /** requestedPerKind annotations per kind, spread over 20%-100% of the span; plants the portal secrets on the way. */
  private async requestRotations(): Promise<void> {
    const total = this.o.requestedPerKind * this.o.kinds.length;
    const t0 = Date.now() + this.o.spanMs * 0.2;
    const width = this.o.spanMs * 0.8;
    for (let n = 0; n < total; ) {
      await sleep(Math.max(50, t0 + (n * width) / total - Date.now()));
      this.plantPortalSecrets();
      const kind = this.o.kinds[n % this.o.kinds.length]!;
      const candidates = this.created.get(kind.name)!.filter((name) => Date.now() - (this.lastRequest.get(`${kind.name}/${name}`)?.at ?? 0) > MIN_REQUEST_SPACING_MS);
      if (candidates.length === 0) continue; // try again shortly
      const name = candidates[between(this.o.random, 0, candidates.length - 1)]!;
      const value = `rotate-${n}-${Date.now()}`;
      await secretBearersOn(this.o.kc, kind).patch(this.o.ns, name, { metadata: { annotations: { [ROTATE_REQUESTED_AT]: value } } });
      this.lastRequest.set(`${kind.name}/${name}`, { value, at: Date.now() });
      this.requests++;
      n++;
    }
    this.plantPortalSecrets();
  }

  /** A secret added by "a person" on the first clients of each kind that exist in Data Hub. */
  private plantPortalSecrets(): void {
    for (const kind of this.o.kinds) {
      if (this.portal.filter((x) => x.kind === kind).length >= PORTAL_PER_KIND) continue;
      const taken = new Set(this.portal.map((x) => x.clientId));
      const client = kind.table(this.o.sim).all().find((c) => !taken.has(c.Id));
      if (!client) continue;
      const { secret } = this.o.sim.tenant().secrets(client.Id).add({ Description: PORTAL_DESCRIPTION, Expiration: Date.now() + 30 * 24 * 3600_000 });
      this.portal.push({ kind, clientId: client.Id, secretId: secret.Id });
    }
  }

  noteKill(inFlight: boolean, rightAfterSecretCreate: boolean, sim: Simulator): void {
    this.kill.kills++;
    if (inFlight) this.kill.killsInFlight++;
    if (rightAfterSecretCreate) this.kill.killsRightAfterSecretCreate++;
    if (this.o.kinds.some((k) => sim.requests.count({ method: 'POST', route: k.routes.secrets, status: 201 }) > 0)) this.kill.killsAfterRotation++;
    if (this.o.kinds.some((k) => k.table(sim).size > 0)) this.kill.killsAfterWork++;
  }

  /** Objects whose last rotate request is not echoed in status.lastHandledRotateAt. */
  unhandledRequests(kind: SecretKind, objects: SecretBearer[]): string[] {
    const unhandled = objects.filter((o) => {
      const want = this.lastRequest.get(`${kind.name}/${o.metadata.name}`)?.value;
      return want !== undefined && o.status?.lastHandledRotateAt !== want;
    });
    return unhandled.length > 0 ? [`${unhandled.length} ${kind.name} rotate requests not handled yet (e.g. ${unhandled[0]!.metadata.name})`] : [];
  }

  /** Every portal secret still there, unchanged. */
  portalSecretsIntact(sim: Simulator): string[] {
    return this.portal.filter((x) => sim.tenant().secrets(x.clientId).get(x.secretId)?.Description !== PORTAL_DESCRIPTION).map((x) => `the operator touched secret ${x.secretId} a person made on ${x.kind.name} client ${x.clientId}`);
  }

  figures(): ChaosFigures {
    return { ...this.kill, rotateRequests: this.requests, portalSecrets: this.portal.length };
  }
}
