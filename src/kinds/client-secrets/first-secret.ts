// The first secret of a client create: desired() plans it (the description naming the object and
// its sequence number, and the lifetime), the external client's create sends it. The plan is kept
// beside the desired client, not in it, so it never counts as a change of the client itself (the
// engine digests what desired() returns). Its expiry is computed at the moment of the call.
import type { FirstSecretFields } from '../../datahub/index.ts';

export interface FirstSecretPlan {
  description: string;
  validForMs: number;
}

export class FirstSecretPlans<D extends object> {
  private readonly plans = new WeakMap<D, FirstSecretPlan>();

  plan(desired: D, plan: FirstSecretPlan): D {
    this.plans.set(desired, plan);
    return desired;
  }

  /** The create body's secret fields for this desired client (a plan is always made by desired()). */
  fields(desired: D, now: number): FirstSecretFields {
    const plan = this.plans.get(desired);
    if (!plan) throw new Error('cannot create a client with a secret: desired() made no plan for its first secret');
    return { SecretDescription: plan.description, SecretExpirationDate: new Date(now + plan.validForMs).toISOString() };
  }
}
