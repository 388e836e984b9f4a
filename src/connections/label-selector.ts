// Kubernetes LabelSelector matching (matchLabels and matchExpressions with In, NotIn, Exists,
// DoesNotExist, all ANDed), as the API server evaluates it: an empty selector matches everything.
// Pure; used for a ClusterDataHubConnection's namespaceSelector.

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, r.key);
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
        if (!has || !values.includes(labels[r.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[r.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        // An operator the schema does not know: fail closed, never admit.
        return false;
    }
  }
  return true;
}

/** A selector the operator cannot evaluate as written (it then admits nothing). */
export function selectorInvalid(selector: LabelSelector | undefined): boolean {
  return (selector?.matchExpressions ?? []).some((r) => {
    const values = r.values ?? [];
    if (r.operator === 'In' || r.operator === 'NotIn') return values.length === 0;
    if (r.operator === 'Exists' || r.operator === 'DoesNotExist') return values.length > 0;
    return true;
  });
}
