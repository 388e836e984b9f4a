// Shares equal strings between cached objects. JSON.parse gives every object its own copy of every
// value ("identity.datahub.dev/v1alpha1", the namespace, the tenant, condition reasons, an owner's
// name repeated in its Secret...); with 10,000 objects and their Secrets cached, one copy each saves
// tens of MiB. The pool is bounded: when full it starts over (cached objects keep their strings).

const MAX_LENGTH = 256;
const MAX_ENTRIES = 300_000;

export class StringPool {
  private pool = new Map<string, string>();

  intern(value: string): string {
    if (value.length > MAX_LENGTH) return value;
    const hit = this.pool.get(value);
    if (hit !== undefined) return hit;
    if (this.pool.size >= MAX_ENTRIES) this.pool = new Map();
    this.pool.set(value, value);
    return value;
  }

  /** Replaces every string inside value (in place) with its pooled copy; returns value. */
  internDeep<T>(value: T): T {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.internValue(value[i]);
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      // resourceVersion is unique per object and changes with every write: pooling it only costs.
      for (const key of Object.keys(record)) if (key !== 'resourceVersion') record[key] = this.internValue(record[key]);
    }
    return value;
  }

  private internValue(v: unknown): unknown {
    if (typeof v === 'string') return this.intern(v);
    if (v !== null && typeof v === 'object') return this.internDeep(v);
    return v;
  }
}

/** One pool for the process: the Secret and object caches share many strings with each other. */
export const sharedStringPool = new StringPool();
