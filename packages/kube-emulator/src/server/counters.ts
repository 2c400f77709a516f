/** Verbs counted per resource. @public */
export type CountedVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection';

/** Request counts: total, by verb, and by resource (`deployments.apps`, `pods`) then verb. @public */
export interface CounterSnapshot {
  total: number;
  byVerb: Partial<Record<CountedVerb, number>>;
  byResource: Record<string, Partial<Record<CountedVerb, number>>>;
}

/** @public */
export interface Counters {
  snapshot(): CounterSnapshot;
  reset(): void;
}

export function createCounters() {
  let byResource = new Map<string, Map<CountedVerb, number>>();
  const counters: Counters & {
    count(verb: CountedVerb, resource: string): void;
  } = {
    count(verb, resource) {
      let m = byResource.get(resource);
      if (!m) byResource.set(resource, (m = new Map()));
      m.set(verb, (m.get(verb) ?? 0) + 1);
    },
    snapshot() {
      const snap: CounterSnapshot = { total: 0, byVerb: {}, byResource: {} };
      for (const [resource, verbs] of [...byResource].sort(([a], [b]) =>
        a.localeCompare(b),
      )) {
        snap.byResource[resource] = {};
        for (const [verb, n] of verbs) {
          snap.byResource[resource][verb] = n;
          snap.byVerb[verb] = (snap.byVerb[verb] ?? 0) + n;
          snap.total += n;
        }
      }
      return snap;
    },
    reset() {
      byResource = new Map();
    },
  };
  return counters;
}
