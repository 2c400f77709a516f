import type { Clock, Store, TrafficSnapshot } from '../store/types';
import { fnv32a } from '../controllers/util';
import { type HostRoute, computeRoutes } from './router';
import { type VersionHealth, sample, seededRandom } from './health';

/** Simulated requests per simulated second arriving at every host. @public */
export const REQUESTS_PER_SECOND = 20;

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Envoy's (and so Istio's) default histogram buckets, in milliseconds. */
const MS_BUCKETS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000,
  300000, 600000, 1800000, 3600000,
];

interface Series {
  namespace: string;
  host: string;
  version: string;
  /** `http` requests or `tcp` connections. */
  protocol: 'http' | 'tcp';
  /** Kind of the routing object: `Service`, `HTTPRoute`, `VirtualService`. */
  via: string;
  /** The Service the version was last reached through. */
  service?: { namespace: string; name: string; port?: number };
  weight: number;
  ok: number;
  errors: number;
  durationSum: number;
  buckets: number[];
  msBuckets: number[];
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
        protocol: route.protocol,
        via: route.via.split('/')[0],
        weight: 0,
        ok: 0,
        errors: 0,
        durationSum: 0,
        buckets: BUCKETS.map(() => 0),
        msBuckets: MS_BUCKETS.map(() => 0),
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
        if (v.service) s.service = v.service;
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
        MS_BUCKETS.forEach((le, i) => {
          s.msBuckets[i] += Math.round(n * (1 - Math.exp(-le / 1000 / mean)));
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
        protocol: s.protocol,
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
    lines.push(...meshMetricLines(all));
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

/** Counters of series that share one label set in a mesh metric, summed. */
interface Aggregate {
  labels: string;
  ok: number;
  errors: number;
  durationSumMs: number;
  msBuckets: number[];
}

function aggregate(
  all: Series[],
  labelsOf: (s: Series) => string | undefined,
): Aggregate[] {
  const out = new Map<string, Aggregate>();
  for (const s of all) {
    const labels = labelsOf(s);
    if (labels === undefined) continue;
    let a = out.get(labels);
    if (!a) {
      a = {
        labels,
        ok: 0,
        errors: 0,
        durationSumMs: 0,
        msBuckets: MS_BUCKETS.map(() => 0),
      };
      out.set(labels, a);
    }
    a.ok += s.ok;
    a.errors += s.errors;
    a.durationSumMs += s.durationSum * 1000;
    s.msBuckets.forEach((n, i) => (a!.msBuckets[i] += n));
  }
  return [...out.values()];
}

function histogramLines(name: string, a: Aggregate): string[] {
  const lines = MS_BUCKETS.map(
    (le, i) => `${name}_bucket{${a.labels},le="${le}"} ${a.msBuckets[i]}`,
  );
  lines.push(`${name}_bucket{${a.labels},le="+Inf"} ${a.ok + a.errors}`);
  lines.push(`${name}_sum{${a.labels}} ${round(a.durationSumMs)}`);
  lines.push(`${name}_count{${a.labels}} ${a.ok + a.errors}`);
  return lines;
}

/**
 * The series Flagger's metric providers query, from the same simulated requests:
 * - Istio (every version is a meshed destination workload; what `reporter="destination"` sidecars report):
 *   `istio_requests_total` and `istio_request_duration_milliseconds` for http, `istio_tcp_connections_*` for
 *   VirtualService tcp routes;
 * - Envoy cluster stats as a Gateway API implementation's Envoy (Contour) exposes them for HTTPRoute backends:
 *   `envoy_cluster_upstream_rq` and `envoy_cluster_upstream_rq_time` with `envoy_cluster_name` =
 *   `<namespace>_<service>_<port>`.
 */
function meshMetricLines(all: Series[]): string[] {
  const destination = (s: Series, protocol: string) => {
    const svc = s.service ?? { namespace: s.namespace, name: s.version };
    return [
      `reporter="destination"`,
      `destination_workload="${esc(s.version)}"`,
      `destination_workload_namespace="${esc(s.namespace)}"`,
      `destination_app="${esc(s.version)}"`,
      `destination_service="${esc(
        `${svc.name}.${svc.namespace}.svc.cluster.local`,
      )}"`,
      `destination_service_name="${esc(svc.name)}"`,
      `destination_service_namespace="${esc(svc.namespace)}"`,
      `request_protocol="${protocol}"`,
    ].join(',');
  };
  const lines: string[] = [];
  const http = all.filter(s => s.protocol === 'http');
  const tcp = all.filter(s => s.protocol === 'tcp');

  const istio = aggregate(http, s => destination(s, 'http'));
  lines.push(
    '# HELP istio_requests_total Simulated requests as Istio sidecars report them (reporter="destination").',
  );
  lines.push('# TYPE istio_requests_total counter');
  for (const a of istio) {
    lines.push(
      `istio_requests_total{${a.labels},response_code="200",response_flags="-"} ${a.ok}`,
    );
    lines.push(
      `istio_requests_total{${a.labels},response_code="503",response_flags="-"} ${a.errors}`,
    );
  }
  lines.push(
    '# HELP istio_request_duration_milliseconds Simulated request duration as Istio sidecars report it.',
  );
  lines.push('# TYPE istio_request_duration_milliseconds histogram');
  for (const a of istio)
    lines.push(...histogramLines('istio_request_duration_milliseconds', a));

  const istioTcp = aggregate(tcp, s => destination(s, 'tcp'));
  lines.push(
    '# HELP istio_tcp_connections_opened_total Simulated TCP connections opened (VirtualService tcp routes).',
  );
  lines.push('# TYPE istio_tcp_connections_opened_total counter');
  for (const a of istioTcp)
    lines.push(
      `istio_tcp_connections_opened_total{${a.labels}} ${a.ok + a.errors}`,
    );
  lines.push(
    '# HELP istio_tcp_connections_closed_total Simulated TCP connections closed; response_flags="UF" for failed ones.',
  );
  lines.push('# TYPE istio_tcp_connections_closed_total counter');
  for (const a of istioTcp) {
    lines.push(
      `istio_tcp_connections_closed_total{${a.labels},response_flags="-"} ${a.ok}`,
    );
    lines.push(
      `istio_tcp_connections_closed_total{${a.labels},response_flags="UF"} ${a.errors}`,
    );
  }

  const envoy = aggregate(
    http.filter(s => s.via === 'HTTPRoute'),
    s => {
      const svc = s.service ?? { namespace: s.namespace, name: s.version };
      return `envoy_cluster_name="${esc(
        `${svc.namespace}_${svc.name}_${svc.port ?? 80}`,
      )}"`;
    },
  );
  lines.push(
    "# HELP envoy_cluster_upstream_rq Simulated upstream requests of the gateway's Envoy, by cluster (HTTPRoute backend) and response code.",
  );
  lines.push('# TYPE envoy_cluster_upstream_rq counter');
  for (const a of envoy) {
    lines.push(
      `envoy_cluster_upstream_rq{envoy_response_code="200",${a.labels}} ${a.ok}`,
    );
    lines.push(
      `envoy_cluster_upstream_rq{envoy_response_code="503",${a.labels}} ${a.errors}`,
    );
  }
  lines.push(
    "# HELP envoy_cluster_upstream_rq_xx Simulated upstream requests of the gateway's Envoy, by response code class.",
  );
  lines.push('# TYPE envoy_cluster_upstream_rq_xx counter');
  for (const a of envoy) {
    lines.push(
      `envoy_cluster_upstream_rq_xx{envoy_response_code_class="2",${a.labels}} ${a.ok}`,
    );
    lines.push(
      `envoy_cluster_upstream_rq_xx{envoy_response_code_class="5",${a.labels}} ${a.errors}`,
    );
  }
  lines.push(
    "# HELP envoy_cluster_upstream_rq_total Simulated upstream requests of the gateway's Envoy, by cluster.",
  );
  lines.push('# TYPE envoy_cluster_upstream_rq_total counter');
  for (const a of envoy)
    lines.push(
      `envoy_cluster_upstream_rq_total{${a.labels}} ${a.ok + a.errors}`,
    );
  lines.push(
    "# HELP envoy_cluster_upstream_rq_time Simulated upstream request time of the gateway's Envoy, in milliseconds.",
  );
  lines.push('# TYPE envoy_cluster_upstream_rq_time histogram');
  for (const a of envoy)
    lines.push(...histogramLines('envoy_cluster_upstream_rq_time', a));
  return lines;
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
