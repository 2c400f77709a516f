import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createClock } from '../clock';
import { startControllers } from '../controllers/index';
import { R } from '../controllers/resources';
import { waitFor } from '../controllers/testUtils';
import { createMemoryStore } from '../store/memoryStore';
import type { ControllerHandle } from '../store/types';
import { DEMO_IDS, DEMO_NAMESPACES, loadScenario } from './index';

describe('scenarios', () => {
  let handle: ControllerHandle | undefined;
  afterEach(() => handle?.stop());

  it('empty: system namespaces and nodes, no workloads', () => {
    const store = createMemoryStore();
    loadScenario(store, 'empty');
    const namespaces = store
      .list(R.namespaces)
      .map(n => n.metadata.name)
      .sort();
    for (const ns of ['default', 'kube-public', 'kube-system'])
      assert.ok(namespaces.includes(ns), namespaces.join(','));
    assert.equal(store.list(R.nodes).length, 2);
    assert.equal(store.list(R.deployments).length, 0);
  });

  it('demo: every chapter in its namespace, labelled for Backstage, with a canary run in progress', async () => {
    process.env.KUBE_EMULATOR_QUIET = '1';
    const store = createMemoryStore();
    // 60x: one simulated minute per real second.
    handle = startControllers(store, createClock(60));
    loadScenario(store, 'demo');
    const byId = (id: string) =>
      store
        .list(R.deployments, {
          labelSelector: `backstage.io/kubernetes-id=${id}`,
        })
        .map(d => `${d.metadata.namespace}/${d.metadata.name}`)
        .sort();
    assert.deepEqual(byId(DEMO_IDS.serviceSelector), [
      'service-selector/blue',
      'service-selector/green',
    ]);
    assert.deepEqual(byId(DEMO_IDS.gatewayApi), [
      'gateway-api/web-canary',
      'gateway-api/web-stable',
    ]);
    assert.deepEqual(byId(DEMO_IDS.istio), [
      'istio/web-preview',
      'istio/web-stable',
    ]);
    assert.deepEqual(byId(DEMO_IDS.canaryDemo), [
      'flagger-demo/canary-demo',
      'flagger-demo/canary-demo-primary',
    ]);
    assert.deepEqual(byId(DEMO_IDS.bluegreenDemo), [
      'flagger-demo/bluegreen-demo',
      'flagger-demo/bluegreen-demo-primary',
    ]);
    assert.deepEqual(byId(DEMO_IDS.payments), [
      'payments/payments-web-blue',
      'payments/payments-web-green',
    ]);
    assert.equal(DEMO_NAMESPACES.payments, 'payments');
    assert.ok(store.get(R.namespaces, undefined, 'payments'));
    const payments = (name: string) =>
      store.get(R.deployments, 'payments', name)!;
    for (const [name, version, image] of [
      ['payments-web-blue', 'blue', 'payments:2.4.0'],
      ['payments-web-green', 'green', 'payments:2.5.0'],
    ]) {
      const d = payments(name);
      assert.equal(d.spec.replicas, 2);
      assert.equal(d.spec.template.spec.containers[0].image, image);
      assert.deepEqual(d.spec.selector.matchLabels, {
        app: 'payments-web',
        version,
      });
      assert.equal(
        d.spec.template.metadata.labels['backstage.io/kubernetes-id'],
        'payments-web',
      );
    }
    const paymentsSvc = store.get(R.services, 'payments', 'payments-web')!;
    assert.deepEqual(paymentsSvc.spec.selector, {
      app: 'payments-web',
      version: 'blue',
    });
    assert.equal(
      paymentsSvc.metadata.labels?.['backstage.io/kubernetes-id'],
      'payments-web',
    );
    assert.deepEqual(
      store.get(R.services, 'service-selector', 'web')!.spec.selector,
      { app: 'web', version: 'blue' },
    );

    const weight = () =>
      Number(
        store.get(R.canarydeliveries, 'flagger-demo', 'canary-demo')?.status
          ?.canaryWeight ?? 0,
      );
    await waitFor('canary weight 5', () => weight() >= 5, 5000);
    assert.equal(
      store.get(R.canarydeliveries, 'flagger-demo', 'canary-demo')!.status
        .phase,
      'Progressing',
    );
    // Two simulated minutes later the run is still going and has moved on.
    await new Promise(resolve => setTimeout(resolve, 2000));
    const cd = store.get(R.canarydeliveries, 'flagger-demo', 'canary-demo')!;
    assert.equal(cd.status.phase, 'Progressing');
    assert.ok(weight() >= 15 && weight() < 50, `weight ${weight()}`);
    assert.equal(
      store.get(R.canarydeliveries, 'flagger-demo', 'bluegreen-demo')!.status
        .phase,
      'Succeeded',
    );

    const history = store.list(R.canaryevents, {
      namespace: 'flagger-demo',
      labelSelector: 'asm.cpaas.io/msname=canary-demo',
    });
    assert.equal(history.length, 4);
    // Past runs keep their true start as creationTimestamp; the live run (created at load) is the newest.
    const loadedAt = Date.now() - 10 * 60_000;
    const past = history.filter(e => e.spec.phase !== 'Progressing');
    assert.equal(past.length, 3);
    for (const e of past) {
      assert.equal(
        Date.parse(e.metadata.creationTimestamp!),
        Math.floor(Date.parse(e.spec.startTime) / 1000) * 1000,
        `${e.metadata.name}: creationTimestamp is the run's start`,
      );
      assert.ok(Date.parse(e.metadata.creationTimestamp!) < loadedAt);
    }
    const newest = history
      .sort((a, b) =>
        String(a.metadata.creationTimestamp).localeCompare(
          String(b.metadata.creationTimestamp),
        ),
      )
      .pop()!;
    assert.equal(newest.spec.phase, 'Progressing');
    assert.ok(history.some(e => e.spec.result === 'Failed'));
    const bluegreen = store.list(R.canaryevents, {
      namespace: 'flagger-demo',
      labelSelector: 'asm.cpaas.io/msname=bluegreen-demo',
    });
    const rolledBack = bluegreen.find(
      e => e.metadata.labels?.action === 'rollback',
    )!;
    assert.equal(rolledBack.spec.result, 'RolledBack');
    assert.equal(rolledBack.spec.iterations, 3);
    assert.ok(bluegreen.every(e => e.spec.endTime));
    // Blue/green history: 10 iterations at weight 0, then all traffic to the new version, then promotion.
    const promoted = bluegreen.filter(e => e.spec.result === 'Succeeded');
    assert.equal(promoted.length, 2);
    for (const e of promoted) {
      assert.equal(e.spec.iterations, 10);
      assert.deepEqual(
        e.spec.checks.map((c: any) => c.iteration ?? `w${c.weight}`),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 'w100'],
      );
      assert.deepEqual(
        e.spec.steps.map((s: any) => s.weight),
        [100, 0],
      );
      assert.ok(
        e.spec.logs.some(
          (l: any) =>
            l.message ===
            'Advance bluegreen-demo.flagger-demo canary iteration 10/10',
        ),
      );
    }

    const hosts = handle
      .traffic()
      .map(s => `${s.namespace}/${s.host}/${s.version}`);
    for (const h of [
      'service-selector/web/blue',
      'gateway-api/example.com/web-stable',
      'istio/rollout-demo.asm.com/web-stable',
      'flagger-demo/canary-demo.asm.com/canary-demo',
    ]) {
      assert.ok(hosts.includes(h), hosts.join('\n'));
    }
    const gw = store.get(R.gateways, 'gateway-api', 'default')!;
    assert.equal(gw.status.addresses[0].value, '192.168.134.30');
  });
});
