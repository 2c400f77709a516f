/** One fault-injection rule; a request matching method and path is faulted with probability `share`. @public */
export interface FaultRule {
  /** HTTP method (GET, POST, PUT, PATCH, DELETE); any when omitted. */
  method?: string;
  /** Path prefix (e.g. `/apis/apps/v1`); any when neither prefix nor regex is given. */
  pathPrefix?: string;
  /** Regular expression (string or RegExp) tested against the path with query string. */
  pathRegex?: string | RegExp;
  /** Probability 0..1 that a matching request is faulted. Default 1. */
  share?: number;
  /** Delay before answering (or before another fault of this rule). */
  latencyMs?: number;
  /** Answer with this error status instead of serving (500 InternalError, 503 ServiceUnavailable, 429 TooManyRequests). */
  status?: 500 | 503 | 429 | 504;
  /** Retry-After seconds of 429/503 answers. Default 1. */
  retryAfterSeconds?: number;
  /** Destroy the connection without answering. */
  drop?: boolean;
}

/** Fault injection switchable at runtime. @public */
export interface Faults {
  set(rules: FaultRule[]): void;
  clear(): void;
  list(): FaultRule[];
}

/** A decided fault for one request. */
export interface FaultDecision {
  latencyMs: number;
  status?: number;
  retryAfterSeconds?: number;
  drop?: boolean;
}

const validStatuses = new Set([429, 500, 503, 504]);

/** Validates rules (from the library or the admin endpoint); throws with a message naming the bad field. */
export function validateFaultRules(input: unknown): FaultRule[] {
  if (!Array.isArray(input))
    throw new Error('faults must be an array of rules');
  return input.map((raw, i) => {
    if (!raw || typeof raw !== 'object')
      throw new Error(`faults[${i}] must be an object`);
    const r = raw as FaultRule;
    if (
      r.share !== undefined &&
      (typeof r.share !== 'number' || r.share < 0 || r.share > 1)
    )
      throw new Error(`faults[${i}].share must be a number from 0 to 1`);
    if (r.status !== undefined && !validStatuses.has(r.status))
      throw new Error(`faults[${i}].status must be one of 429, 500, 503, 504`);
    if (
      r.latencyMs !== undefined &&
      (typeof r.latencyMs !== 'number' || r.latencyMs < 0)
    )
      throw new Error(`faults[${i}].latencyMs must be a non-negative number`);
    if (r.pathRegex !== undefined && typeof r.pathRegex === 'string') {
      try {
        RegExp(r.pathRegex); // throws a SyntaxError when invalid
      } catch (e) {
        throw new Error(
          `faults[${i}].pathRegex is not a valid regular expression: ${
            (e as Error).message
          }`,
        );
      }
    }
    if (r.status === undefined && !r.drop && !r.latencyMs)
      throw new Error(`faults[${i}] must set status, drop or latencyMs`);
    return { ...r };
  });
}

/** Creates the fault registry (empty = off). */
export function createFaults(
  initial: FaultRule[] = [],
  random: () => number = Math.random,
) {
  let rules = validateFaultRules(initial);
  const faults: Faults & {
    decide(method: string, url: string): FaultDecision | undefined;
  } = {
    set(next) {
      rules = validateFaultRules(next);
    },
    clear() {
      rules = [];
    },
    list: () =>
      rules.map(r => ({
        ...r,
        pathRegex:
          r.pathRegex instanceof RegExp ? r.pathRegex.source : r.pathRegex,
      })),
    decide(method, url) {
      if (!rules.length) return undefined;
      const path = url.split('?')[0];
      for (const r of rules) {
        if (r.method && r.method.toUpperCase() !== method.toUpperCase())
          continue;
        if (r.pathPrefix && !path.startsWith(r.pathPrefix)) continue;
        if (
          r.pathRegex &&
          !(
            r.pathRegex instanceof RegExp
              ? r.pathRegex
              : new RegExp(r.pathRegex)
          ).test(url)
        )
          continue;
        if (random() >= (r.share ?? 1)) continue;
        return {
          latencyMs: r.latencyMs ?? 0,
          status: r.status,
          retryAfterSeconds: r.retryAfterSeconds ?? 1,
          drop: r.drop,
        };
      }
      return undefined;
    },
  };
  return faults;
}
