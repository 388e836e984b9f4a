// The faults one request meets: those of every tenant (the simulator's controller) and, when the
// request belongs to a tenant (its path, or the client of a token request), that tenant's own. It
// combines the two decisions; it does not touch the HTTP exchange.
import type { ErrorFault, FaultController, FaultMatch, MalformedKind } from './faults.ts';

export class FaultScope {
  private readonly global: FaultController;
  private readonly tenant: FaultController | undefined;

  constructor(global: FaultController, tenant: FaultController | undefined) {
    this.global = global;
    this.tenant = tenant;
  }

  inOutage(): boolean {
    return this.global.inOutage() || (this.tenant?.inOutage() ?? false);
  }

  /** Both budgets must have room; a refused request uses neither. Retry-After: the longer wait. */
  admit(): number | undefined {
    const g = this.global.budgetFull();
    const t = this.tenant?.budgetFull();
    if (g === undefined && t === undefined) {
      this.global.consumeBudget();
      this.tenant?.consumeBudget();
      return undefined;
    }
    if (g !== undefined) this.global.limiter.refuse();
    if (t !== undefined) this.tenant?.limiter.refuse();
    return Math.max(g ?? 0, t ?? 0);
  }

  /** The two delays add up. (The global one is asked first and always: tests count arrivals with it.) */
  latencyMs(): number {
    return this.global.latencyMs() + (this.tenant?.latencyMs() ?? 0);
  }

  /** The tenant's faults are asked first, then those of every tenant. */
  pickError(m: FaultMatch): ErrorFault | undefined {
    return this.tenant?.pickError(m) ?? this.global.pickError(m);
  }

  shouldDrop(m: FaultMatch): boolean {
    return (this.tenant?.shouldDrop(m) ?? false) || this.global.shouldDrop(m);
  }

  /** The broken body to send, with the huge-body size of the controller that chose it. */
  pickMalformed(m: FaultMatch): { kind: MalformedKind; hugeBodyBytes: number } | undefined {
    for (const c of [this.tenant, this.global]) {
      const kind = c?.pickMalformed(m);
      if (c && kind) return { kind, hugeBodyBytes: c.hugeBodyBytes() };
    }
    return undefined;
  }
}
