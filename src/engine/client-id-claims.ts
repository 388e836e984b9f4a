// Which object may manage which Data Hub client Id. Two objects can name the same Id (a pinned
// spec.clientId, copied by mistake); the oldest object wins and the others are Stalled with
// ClientIdConflict, so no client is ever written by two objects or deleted by the wrong one.
// In-memory index rebuilt from the informer cache; no I/O.

interface Claimant {
  key: string;
  created: string;
}

export class ClientIdClaims {
  private readonly byId = new Map<string, Map<string, Claimant>>();
  private readonly byKey = new Map<string, string>();

  /** Records that key claims clientId; returns the keys whose winner may have changed. */
  set(key: string, clientId: string, created: string): string[] {
    const id = clientId.toLowerCase();
    const previous = this.byKey.get(key);
    if (previous === id) return [];
    const affected = previous ? this.remove(key) : [];
    this.byKey.set(key, id);
    let claimants = this.byId.get(id);
    if (!claimants) {
      claimants = new Map<string, Claimant>();
      this.byId.set(id, claimants);
    }
    claimants.set(key, { key, created });
    return [...affected, ...[...claimants.keys()].filter((k) => k !== key)];
  }

  /** Forgets key; returns the other claimants of its Id (one of them may now win). */
  remove(key: string): string[] {
    const id = this.byKey.get(key);
    if (!id) return [];
    this.byKey.delete(key);
    const claimants = this.byId.get(id);
    claimants?.delete(key);
    if (claimants?.size === 0) this.byId.delete(id);
    return claimants ? [...claimants.keys()] : [];
  }

  /** The key that owns clientId: the oldest claimant, ties broken by key. */
  owner(clientId: string): string | undefined {
    const claimants = this.byId.get(clientId.toLowerCase());
    if (!claimants) return undefined;
    let best: Claimant | undefined;
    for (const c of claimants.values()) {
      if (!best || c.created < best.created || (c.created === best.created && c.key < best.key)) best = c;
    }
    return best?.key;
  }
}
