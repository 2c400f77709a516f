import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Emulator } from '../index';
import { rawRequest, startTestEmulator } from '../server/testSupport';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition (enough of it for the emulator's output). */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The counters' increase between two scrapes (series absent before count from zero). */
function increase(first: Sample[], second: Sample[]): Sample[] {
  const key = (s: Sample) => `${s.name}${JSON.stringify(s.labels)}`;
  const old = new Map(first.map(s => [key(s), s.value]));
  return second.map(s => ({ ...s, value: s.value - (old.get(key(s)) ?? 0) }));
}

/** Sum of a metric's samples whose labels equal (string) or match (RegExp) the given ones, like PromQL's sum(). */
function sum(
  samples: Sample[],
  name: string,
  match: Record<string, string | RegExp>,
): number {
  return samples
    .filter(
      s =>
        s.name === name &&
        Object.entries(match).every(([k, v]) =>
          typeof v === 'string' ? s.labels[k] === v : v.test(s.labels[k] ?? ''),
        ),
    )
    .reduce((n, s) => n + s.value, 0);
}

describe('/metrics: the series Flagger queries, from the demo scenario traffic', () => {
  let emu: Emulator;
  before(async () => {
    process.env.KUBE_EMULATOR_QUIET = '1';
    emu = await startTestEmulator({
      scenario: 'demo',
      timeScale: 60,
      controllers: true,
    });
    // Send a fifth of gateway-api's requests to the canary, so both versions are destinations.
    const patched = await rawRequest(
      emu,
      'PATCH',
      '/apis/gateway.networking.k8s.io/v1/namespaces/gateway-api/httproutes/web',
      {
        headers: { 'Content-Type': 'application/merge-patch+json' },
        body: JSON.stringify({
          spec: {
            rules: [
              {
                backendRefs: [
                  { kind: 'Service', name: 'web-canary', port: 80, weight: 20 },
                  { kind: 'Service', name: 'web-stable', port: 80, weight: 80 },
                ],
              },
            ],
          },
        }),
      },
    );
    assert.equal(patched.status, 200, patched.body);
  });
  after(async () => emu?.stop());

  const scrape = async () => {
    const res = await rawRequest(emu, 'GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    return res.body;
  };

  const destinations: [string, string][] = [
    ['service-selector', 'blue'],
    ['gateway-api', 'web-stable'],
    ['gateway-api', 'web-canary'],
    ['istio', 'web-stable'],
  ];

  /** The increase of every series over one real second, once every demo destination is healthy. */
  const window = async () => {
    // Wait until every destination has ready pods (before that its Service answers 503), then take
    // the increase over one real second (a simulated minute), as Flagger's rate(...[1m]) would.
    const deadline = Date.now() + 20_000;
    const healthy = () => {
      const traffic = emu.controllers!.traffic();
      return destinations.every(([ns, workload]) =>
        traffic.some(
          t =>
            t.namespace === ns &&
            t.version === workload &&
            t.protocol === 'http' &&
            t.weight > 0 &&
            t.successRate > 98,
        ),
      );
    };
    while (!healthy()) {
      assert.ok(Date.now() < deadline, 'demo destinations never all healthy');
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    const start = parse(await scrape());
    await new Promise(resolve => setTimeout(resolve, 1000));
    return increase(start, parse(await scrape()));
  };

  it('serves istio_requests_total and istio_request_duration_milliseconds per destination workload', async () => {
    const samples = await window();
    for (const [ns, workload] of destinations) {
      const sel = {
        reporter: 'destination',
        destination_workload_namespace: ns,
        destination_workload: workload,
      };
      const total = sum(samples, 'istio_requests_total', sel);
      assert.ok(total > 0, `${ns}/${workload}`);
      // Flagger's request-success-rate query: non-5xx over all, times 100.
      const ok = sum(samples, 'istio_requests_total', {
        ...sel,
        response_code: /^[^5]/,
      });
      assert.ok((ok / total) * 100 > 98, `${ns}/${workload}: ${ok}/${total}`);
      // The duration histogram: buckets rising to +Inf = _count, a plausible mean in milliseconds.
      const buckets = samples
        .filter(
          s =>
            s.name === 'istio_request_duration_milliseconds_bucket' &&
            s.labels.destination_workload === workload &&
            s.labels.destination_workload_namespace === ns,
        )
        .map(s => s.value);
      assert.ok(buckets.length >= 10, `${ns}/${workload} buckets`);
      for (let i = 1; i < buckets.length; i++)
        assert.ok(buckets[i] >= buckets[i - 1], `${ns}/${workload} le order`);
      const count = sum(
        samples,
        'istio_request_duration_milliseconds_count',
        sel,
      );
      assert.equal(buckets[buckets.length - 1], count);
      assert.equal(count, total);
      const mean =
        sum(samples, 'istio_request_duration_milliseconds_sum', sel) / count;
      assert.ok(mean > 5 && mean < 100, `${ns}/${workload} mean ${mean} ms`);
    }
    const web = samples.find(
      s =>
        s.name === 'istio_requests_total' &&
        s.labels.destination_workload === 'web-stable' &&
        s.labels.destination_workload_namespace === 'istio',
    )!;
    assert.equal(
      web.labels.destination_service,
      'web-stable.istio.svc.cluster.local',
    );
    assert.equal(web.labels.request_protocol, 'http');
    // The VirtualService's tcp route is a stream of its own.
    assert.ok(
      sum(samples, 'istio_tcp_connections_opened_total', {
        destination_workload_namespace: 'istio',
        destination_workload: 'web-stable',
        request_protocol: 'tcp',
      }) > 0,
    );
    // The emulator's own series stay.
    assert.ok(
      sum(samples, 'emulator_requests_total', {
        namespace: 'istio',
        version: 'web-stable',
      }) > 0,
    );
  });

  it('serves envoy_cluster_upstream_rq and envoy_cluster_upstream_rq_time per HTTPRoute backend', async () => {
    const samples = await window();
    const stable = sum(samples, 'envoy_cluster_upstream_rq', {
      envoy_cluster_name: 'gateway-api_web-stable_80',
    });
    // Contour's (and Flagger's Gateway API tutorial's) canary selector: <namespace>_<target>-canary_<port>.
    const canarySel = {
      envoy_cluster_name: /^gateway-api_web-canary_[0-9a-zA-Z-]+$/,
    };
    const canary = sum(samples, 'envoy_cluster_upstream_rq', canarySel);
    assert.ok(canary > 0 && stable > canary, `${stable} vs ${canary}`);
    const canaryOk = sum(samples, 'envoy_cluster_upstream_rq', {
      ...canarySel,
      envoy_response_code: /^[^5]/,
    });
    assert.ok((canaryOk / canary) * 100 > 98);
    assert.equal(
      sum(samples, 'envoy_cluster_upstream_rq_time_count', canarySel),
      canary,
    );
    assert.equal(
      sum(samples, 'envoy_cluster_upstream_rq_time_bucket', {
        ...canarySel,
        le: '+Inf',
      }),
      canary,
    );
    assert.ok(
      samples.some(
        s =>
          s.name === 'envoy_cluster_upstream_rq_time_bucket' &&
          s.labels.le === '250',
      ),
    );
    // Only HTTPRoute backends are Envoy clusters of the gateway.
    assert.ok(
      samples
        .filter(s => s.name.startsWith('envoy_'))
        .every(s => s.labels.envoy_cluster_name.startsWith('gateway-api_')),
    );
  });

  it('is valid exposition text: every series once, under its TYPE', async () => {
    const text = await scrape();
    const seen = new Set<string>();
    const typed = new Set<string>();
    for (const line of text.split('\n')) {
      const type = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line);
      if (type) {
        assert.ok(!typed.has(type[1]), `TYPE ${type[1]} twice`);
        typed.add(type[1]);
      }
      if (line === '' || line.startsWith('#')) continue;
      const key = line.slice(0, line.lastIndexOf(' '));
      assert.ok(!seen.has(key), `duplicate series ${key}`);
      seen.add(key);
      const name = key.split('{')[0];
      assert.ok(
        typed.has(name) || typed.has(name.replace(/_(bucket|sum|count)$/, '')),
        `no TYPE for ${name}`,
      );
    }
  });
});
