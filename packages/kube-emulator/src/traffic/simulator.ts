import type { Clock, Store, TrafficSnapshot } from '../store/types';
import { fnv32a } from '../controllers/util';
import { type HostRoute, computeRoutes } from './router';
import { type VersionHealth, sample, seededRandom } from './health';

/** Simulated requests per simulated second arriving at every host. @public */
export const REQUESTS_PER_SECOND = 20;

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  namespace: string;
  host: string;
  version: string;
  weight: number;
  ok: number;
  errors: number;
  durationSum: number;
  buckets: number[];
  successRate: number;
  latencyP99Ms: number;
  samples: number;
}

/** The simulated request stream: counters per host and version, and Prometheus text. @public */
export interface TrafficSimulator {
  /** Advances the request stream to now (also called by snapshot/metricsText). */
  tick(): void;
  snapshot(): TrafficSnapshot[];
  metricsText(): string;
  /**
   * One analysis measurement of a version (a Deployment) in a namespace, as Flagger's request-success-rate and
   * request-duration checks would see it; `sampleIndex` makes the noise reproducible.
   */
  measure(
    namespace: string,
    version: string,
    health: VersionHealth,
    sampleIndex: number,
  ): { successRate: number; latencyP99Ms: number };
  stop(): void;
}

/**
 * Starts the request stream: every tick, REQUESTS_PER_SECOND x elapsed simulated seconds requests per host are
 * split by the live routing objects' weights, and counted as 200 or 503 by each version's success rate.
 * @public
 */
export function createTrafficSimulator(
  store: Store,
  clock: Clock,
): TrafficSimulator {
  const series = new Map<string, Series>();
  let last = clock.now();
  let tickCount = 0;
  const cancel = clock.every(Math.max(1000, 100 * clock.timeScale), () =>
    tick(),
  );

  function seriesFor(route: HostRoute, version: string): Series {
    const key = `${route.namespace}\u0000${route.host}\u0000${version}`;
    let s = series.get(key);
    if (!s) {
      s = {
        namespace: route.namespace,
        host: route.host,
        version,
        weight: 0,
        ok: 0,
        errors: 0,
        durationSum: 0,
        buckets: BUCKETS.map(() => 0),
        successRate: 100,
        latencyP99Ms: 0,
        samples: 0,
      };
      series.set(key, s);
    }
    return s;
  }

  function tick() {
    const now = clock.now();
    const simulatedSeconds = ((now - last) / 1000) * clock.timeScale;
    last = now;
    tickCount++;
    const routes = computeRoutes(store);
    const live = new Set<string>();
    for (const route of routes) {
      const requests = REQUESTS_PER_SECOND * simulatedSeconds;
      for (const v of route.versions) {
        const s = seriesFor(route, v.version);
        live.add(`${route.namespace}\u0000${route.host}\u0000${v.version}`);
        s.weight = Math.round(v.weight * 100) / 100;
        const measured = sample(
          v.health,
          `${route.namespace}/${route.host}/${v.version}`,
          s.samples++,
        );
        s.successRate = measured.successRate;
        s.latencyP99Ms = measured.latencyP99Ms;
        const random = seededRandom(
          fnv32a(`${route.host}/${v.version}/${tickCount}`),
        );
        const exact = (requests * v.weight) / 100;
        const n =
          Math.floor(exact) + (random() < exact - Math.floor(exact) ? 1 : 0);
        if (n === 0) continue;
        const errorsExact = (n * (100 - measured.successRate)) / 100;
        const errors = Math.min(
          n,
          Math.floor(errorsExact) +
            (random() < errorsExact - Math.floor(errorsExact) ? 1 : 0),
        );
        s.errors += errors;
        s.ok += n - errors;
        // Exponential latency with the measured p99: mean = p99 / ln(100).
        const mean = measured.latencyP99Ms / 1000 / Math.log(100);
        s.durationSum += n * mean;
        BUCKETS.forEach((le, i) => {
          s.buckets[i] += Math.round(n * (1 - Math.exp(-le / mean)));
        });
      }
    }
    // Versions no longer routed to keep their counters but get weight 0.
    for (const [key, s] of series) if (!live.has(key)) s.weight = 0;
  }

  function snapshot(): TrafficSnapshot[] {
    tick();
    return [...series.values()]
      .sort(
        (a, b) =>
          a.namespace.localeCompare(b.namespace) ||
          a.host.localeCompare(b.host) ||
          a.version.localeCompare(b.version),
      )
      .map(s => ({
        namespace: s.namespace,
        host: s.host,
        version: s.version,
        weight: s.weight,
        requestsTotal: s.ok + s.errors,
        successRate: s.weight > 0 ? s.successRate : observedSuccessRate(s),
        latencyP99Ms: s.latencyP99Ms,
      }));
  }

  function metricsText(): string {
    tick();
    const all = [...series.values()].sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) ||
        a.host.localeCompare(b.host) ||
        a.version.localeCompare(b.version),
    );
    const labels = (s: Series, extra = '') =>
      `namespace="${esc(s.namespace)}",host="${esc(s.host)}",version="${esc(
        s.version,
      )}"${extra}`;
    const lines: string[] = [];
    lines.push(
      '# HELP emulator_requests_total Simulated requests served, by host, version (Deployment) and HTTP status code.',
    );
    lines.push('# TYPE emulator_requests_total counter');
    for (const s of all) {
      lines.push(
        `emulator_requests_total{${labels(s, ',code="200"')}} ${s.ok}`,
      );
      lines.push(
        `emulator_requests_total{${labels(s, ',code="503"')}} ${s.errors}`,
      );
    }
    lines.push(
      '# HELP emulator_request_duration_seconds Simulated request latency, by host and version.',
    );
    lines.push('# TYPE emulator_request_duration_seconds histogram');
    for (const s of all) {
      BUCKETS.forEach((le, i) =>
        lines.push(
          `emulator_request_duration_seconds_bucket{${labels(
            s,
            `,le="${le}"`,
          )}} ${s.buckets[i]}`,
        ),
      );
      lines.push(
        `emulator_request_duration_seconds_bucket{${labels(s, ',le="+Inf"')}} ${
          s.ok + s.errors
        }`,
      );
      lines.push(
        `emulator_request_duration_seconds_sum{${labels(s)}} ${round(
          s.durationSum,
        )}`,
      );
      lines.push(
        `emulator_request_duration_seconds_count{${labels(s)}} ${
          s.ok + s.errors
        }`,
      );
    }
    lines.push(
      "# HELP emulator_traffic_weight Share of the host's requests routed to the version (0-100).",
    );
    lines.push('# TYPE emulator_traffic_weight gauge');
    for (const s of all)
      lines.push(`emulator_traffic_weight{${labels(s)}} ${s.weight}`);
    lines.push(
      '# HELP emulator_success_rate_percent Success rate of the version in the latest sample (0-100).',
    );
    lines.push('# TYPE emulator_success_rate_percent gauge');
    for (const s of all)
      lines.push(
        `emulator_success_rate_percent{${labels(s)}} ${s.successRate}`,
      );
    lines.push(
      '# HELP emulator_latency_p99_seconds p99 latency of the version in the latest sample.',
    );
    lines.push('# TYPE emulator_latency_p99_seconds gauge');
    for (const s of all)
      lines.push(
        `emulator_latency_p99_seconds{${labels(s)}} ${round(
          s.latencyP99Ms / 1000,
        )}`,
      );
    return `${lines.join('\n')}\n`;
  }

  return {
    tick,
    snapshot,
    metricsText,
    measure(namespace, version, health, sampleIndex) {
      return sample(health, `${namespace}/analysis/${version}`, sampleIndex);
    },
    stop() {
      cancel();
    },
  };
}

/** Success rate (%) of the requests a series has served; 100 when it served none. */
function observedSuccessRate(s: Series): number {
  const total = s.ok + s.errors;
  if (total === 0) return 100;
  return Math.round((10000 * s.ok) / total) / 100;
}

function esc(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n');
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
