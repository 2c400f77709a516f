import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { R } from '../controllers/resources';
import {
  type TestCluster,
  startTestCluster,
  testDeployment,
  waitFor,
} from '../controllers/testUtils';
import { HEALTHY, UNHEALTHY, healthOf, isBadImage, sample } from './health';
import { computeRoutes } from './router';

describe('version health conventions', () => {
  it('treats the kube-emulator.io annotations and bad image tags as documented', () => {
    const pod = (image: string, annotations?: Record<string, string>) => ({
      metadata: { annotations },
      spec: { containers: [{ name: 'web', image }] },
    });
    assert.deepEqual(healthOf(pod('hello:1.23.2')), {
      ...HEALTHY,
      source: 'default',
    });
    assert.deepEqual(
      healthOf(pod('hello:1.23.2', { 'kube-emulator.io/unhealthy': 'true' })),
      { ...UNHEALTHY, source: 'annotation' },
    );
    assert.equal(
      healthOf(pod('hello:1.23.2', { 'kube-emulator.io/success-rate': '90' }))
        .successRate,
      90,
    );
    assert.equal(
      healthOf(pod('hello:1.23.2', { 'kube-emulator.io/latency-ms': '900' }))
        .latencyP99Ms,
      900,
    );
    assert.equal(
      healthOf(pod('quay.io/codefresh/rollouts-demo:bad-red')).source,
      'image tag',
    );
    assert.equal(
      healthOf(
        pod('quay.io/codefresh/rollouts-demo:bad-red', {
          'kube-emulator.io/unhealthy': 'false',
        }),
      ).successRate,
      HEALTHY.successRate,
    );
    assert.ok(isBadImage('hello:1.23.2-bad'));
    assert.ok(isBadImage('hello:unhealthy'));
    assert.ok(!isBadImage('registry.badcorp.io/hello:1.0'));
    assert.ok(!isBadImage('hello:badger'));
  });

  it('samples with small deterministic noise that keeps healthy and unhealthy apart', () => {
    for (let i = 0; i < 200; i++) {
      const good = sample({ ...HEALTHY, source: 'default' }, 'ns/v', i);
      const bad = sample({ ...UNHEALTHY, source: 'annotation' }, 'ns/v', i);
      assert.ok(
        good.successRate >= 99.5 && good.successRate <= 100,
        String(good.successRate),
      );
      assert.ok(bad.successRate < 90, String(bad.successRate));
      assert.ok(good.latencyP99Ms < 200);
    }
    assert.deepEqual(
      sample({ ...HEALTHY, source: 'default' }, 'k', 7),
      sample({ ...HEALTHY, source: 'default' }, 'k', 7),
    );
  });
});

describe('simulated traffic through the live routing objects', () => {
  let cluster: TestCluster;
  afterEach(() => cluster?.stop());

  it('splits an HTTPRoute by backendRef weight and a Service by its selector', async () => {
    cluster = startTestCluster();
    const { store, handle } = cluster;
    store.create(
      R.deployments,
      testDeployment('web-stable', { app: 'web-stable' }, 'hello:1.23.1', 2),
    );
    store.create(
      R.deployments,
      testDeployment('web-canary', { app: 'web-canary' }, 'hello:1.23.2', 2),
    );
    for (const name of ['web-stable', 'web-canary']) {
      store.create(R.services, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'default' },
        spec: { selector: { app: name }, ports: [{ port: 80 }] },
      });
    }
    const route = (stable: number, canary: number) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        hostnames: ['example.com'],
        parentRefs: [{ name: 'default' }],
        rules: [
          {
            backendRefs: [
              { name: 'web-canary', port: 80, weight: canary },
              { name: 'web-stable', port: 80, weight: stable },
            ],
          },
        ],
      },
    });
    store.create(R.httproutes, route(90, 10));
    await waitFor('both versions routed', () => {
      const host = computeRoutes(store).find(r => r.host === 'example.com');
      return host?.versions.length === 2;
    });
    const split = Object.fromEntries(
      computeRoutes(store)
        .find(r => r.host === 'example.com')!
        .versions.map(v => [v.version, v.weight]),
    );
    assert.deepEqual(split, { 'web-canary': 10, 'web-stable': 90 });
    // Services behind a route are not separate hosts.
    assert.equal(
      computeRoutes(store).filter(r => r.via.startsWith('Service/')).length,
      0,
    );

    await new Promise(resolve => setTimeout(resolve, 300));
    const snapshot = handle.traffic().filter(s => s.host === 'example.com');
    const canary = snapshot.find(s => s.version === 'web-canary')!;
    const stable = snapshot.find(s => s.version === 'web-stable')!;
    assert.equal(canary.weight, 10);
    assert.ok(
      stable.requestsTotal > canary.requestsTotal * 4,
      `${stable.requestsTotal} vs ${canary.requestsTotal}`,
    );
    assert.ok(canary.successRate > 99);

    const metrics = handle.metricsText();
    assert.match(
      metrics,
      /^emulator_requests_total\{namespace="default",host="example.com",version="web-stable",code="200"\} \d+$/m,
    );
    assert.match(
      metrics,
      /^emulator_traffic_weight\{namespace="default",host="example.com",version="web-canary"\} 10$/m,
    );
    assert.match(
      metrics,
      /^emulator_request_duration_seconds_bucket\{namespace="default",host="example.com",version="web-stable",le="\+Inf"\} \d+$/m,
    );
    assert.match(metrics, /# TYPE emulator_request_duration_seconds histogram/);
  });

  it('routes a VirtualService by destination weight and reports a version with no endpoints as failing', async () => {
    cluster = startTestCluster();
    const { store } = cluster;
    store.create(
      R.deployments,
      testDeployment(
        'web-stable',
        { app: 'web', version: 'stable' },
        'hello:1.23.1',
        1,
      ),
    );
    store.create(R.services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web-stable', namespace: 'default' },
      spec: {
        selector: { app: 'web', version: 'stable' },
        ports: [{ port: 80 }],
      },
    });
    store.create(R.virtualservices, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        hosts: ['rollout-demo.asm.com', 'asm-demo'],
        http: [
          {
            route: [
              { destination: { host: 'web-stable' }, weight: 70 },
              { destination: { host: 'web-preview' }, weight: 30 },
            ],
          },
        ],
      },
    });
    const host = await waitFor('routes', () => {
      const h = computeRoutes(store).find(
        r => r.host === 'rollout-demo.asm.com',
      );
      return h?.versions.some(v => v.version === 'web-stable') && h;
    });
    const preview = host.versions.find(v => v.version === 'web-preview')!;
    assert.equal(preview.weight, 30);
    assert.equal(preview.health.successRate, 0);
    assert.equal(
      host.versions.find(v => v.version === 'web-stable')!.weight,
      70,
    );
  });

  it('counts a VirtualService tcp route as a stream of its own on <host>:<port>, with its own weights', async () => {
    cluster = startTestCluster();
    const { store, handle } = cluster;
    for (const version of ['stable', 'preview']) {
      store.create(
        R.deployments,
        testDeployment(
          `web-${version}`,
          { app: 'web', version },
          'hello:1.23.1',
          1,
        ),
      );
      store.create(R.services, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `web-${version}`, namespace: 'default' },
        spec: {
          selector: { app: 'web', version },
          ports: [{ name: 'tcp-web', port: 9000 }],
        },
      });
    }
    const route = (stable: number, preview: number) => [
      { destination: { host: 'web-stable' }, weight: stable },
      { destination: { host: 'web-preview' }, weight: preview },
    ];
    store.create(R.virtualservices, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        hosts: ['rollout-demo.asm.com', 'asm-demo'],
        http: [{ route: route(100, 0) }],
        tcp: [{ route: route(100, 0) }],
      },
    });
    const split = (host: string) =>
      Object.fromEntries(
        (computeRoutes(store).find(r => r.host === host)?.versions ?? []).map(
          v => [v.version, v.weight],
        ),
      );
    await waitFor('both streams on stable', () => {
      const routes = computeRoutes(store);
      const tcp = routes.find(r => r.host === 'rollout-demo.asm.com:9000');
      return (
        tcp?.protocol === 'tcp' &&
        tcp.versions[0]?.readyPods === 1 &&
        routes.find(r => r.host === 'rollout-demo.asm.com')?.protocol === 'http'
      );
    });
    assert.deepEqual(split('rollout-demo.asm.com:9000'), { 'web-stable': 100 });

    // Only the tcp weights change: the tcp stream follows, the http one does not.
    store.modify(R.virtualservices, 'default', 'web', vs => {
      vs.spec.tcp = [{ route: route(40, 60) }];
    });
    await waitFor('preview ready', () =>
      computeRoutes(store)
        .find(r => r.host === 'rollout-demo.asm.com:9000')
        ?.versions.every(v => v.readyPods === 1),
    );
    assert.deepEqual(split('rollout-demo.asm.com:9000'), {
      'web-stable': 40,
      'web-preview': 60,
    });
    assert.deepEqual(split('rollout-demo.asm.com'), { 'web-stable': 100 });

    await new Promise(resolve => setTimeout(resolve, 300));
    const traffic = handle.traffic();
    const tcp = traffic.filter(t => t.host === 'rollout-demo.asm.com:9000');
    assert.ok(tcp.every(t => t.protocol === 'tcp'));
    assert.deepEqual(Object.fromEntries(tcp.map(t => [t.version, t.weight])), {
      'web-stable': 40,
      'web-preview': 60,
    });
    assert.ok(tcp.find(t => t.version === 'web-preview')!.requestsTotal > 0);
    const http = traffic.filter(t => t.host === 'rollout-demo.asm.com');
    assert.deepEqual(
      Object.fromEntries(
        http.filter(t => t.weight > 0).map(t => [t.version, t.weight]),
      ),
      { 'web-stable': 100 },
    );
    assert.ok(http.every(t => t.protocol === 'http'));
    assert.match(
      handle.metricsText(),
      /^istio_tcp_connections_opened_total\{[^}]*destination_workload="web-preview",destination_workload_namespace="default",[^}]*request_protocol="tcp"\} [1-9]\d*$/m,
    );

    // A tcp-only VirtualService (a match port names the stream) counts too.
    store.modify(R.virtualservices, 'default', 'web', vs => {
      delete vs.spec.http;
      vs.spec.tcp = [{ match: [{ port: 31400 }], route: route(0, 100) }];
    });
    await waitFor('tcp-only route', () =>
      computeRoutes(store).find(r => r.host === 'rollout-demo.asm.com:31400'),
    );
    assert.deepEqual(split('rollout-demo.asm.com:31400'), {
      'web-preview': 100,
    });
    assert.equal(
      computeRoutes(store).filter(r => r.via === 'VirtualService/web').length,
      1,
    );
  });
});
