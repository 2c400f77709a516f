import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, Store } from '../store/types';
import { R } from './resources';
import {
  clusterPerTest,
  conditionOf,
  testService,
  waitFor,
  waitForObject,
} from './testUtils';

/** An HTTPRoute in namespace default. */
function testRoute(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'default' },
    spec,
  };
}

/** Waits until the controller has written the route's parent status. */
function routeWithStatus(store: Store, name: string): Promise<KubeObject> {
  return waitForObject(
    'route status',
    () => store.get(R.httproutes, 'default', name),
    r => r.status?.parents?.length,
  );
}

describe('Gateway API status', () => {
  const startCluster = clusterPerTest();

  it('assigns the Gateway an address and accepts an HTTPRoute whose backends exist', async () => {
    const { store } = startCluster();
    store.create(R.gateways, {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'default', namespace: 'default' },
      spec: {
        gatewayClassName: 'exclusive-gateway',
        listeners: [
          {
            name: 'web',
            hostname: 'example.com',
            port: 80,
            protocol: 'HTTP',
            allowedRoutes: { namespaces: { from: 'All' } },
          },
        ],
      },
    });
    const gw = await waitForObject(
      'gateway address',
      () => store.get(R.gateways, 'default', 'default'),
      g => g.status?.addresses?.length,
    );
    assert.deepEqual(gw.status.addresses, [
      { type: 'IPAddress', value: '192.168.134.30' },
    ]);
    assert.deepEqual(
      gw.status.conditions.map((c: any) => [c.type, c.status]),
      [
        ['Accepted', 'True'],
        ['Programmed', 'True'],
      ],
    );

    store.create(
      R.httproutes,
      testRoute('web', {
        hostnames: ['example.com'],
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: 'default',
            namespace: 'default',
            sectionName: 'web',
          },
        ],
        rules: [
          {
            backendRefs: [
              {
                group: '',
                kind: 'Service',
                name: 'web-stable',
                namespace: 'default',
                port: 80,
                weight: 100,
              },
            ],
          },
        ],
      }),
    );
    const missing = await routeWithStatus(store, 'web');
    const parentConditions = missing.status.parents[0].conditions;
    assert.equal(conditionOf(parentConditions, 'Accepted').status, 'True');
    const resolvedRefs = conditionOf(parentConditions, 'ResolvedRefs');
    assert.equal(resolvedRefs.status, 'False');
    assert.equal(resolvedRefs.reason, 'BackendNotFound');

    store.create(
      R.services,
      testService('web-stable', {
        selector: { app: 'web-stable' },
        ports: [{ port: 80 }],
      }),
    );
    await waitFor(
      'resolved refs',
      () =>
        conditionOf(
          store.get(R.httproutes, 'default', 'web')?.status?.parents?.[0]
            ?.conditions,
          'ResolvedRefs',
        )?.status === 'True',
    );
    await waitFor(
      'attached route',
      () =>
        store.get(R.gateways, 'default', 'default')?.status?.listeners?.[0]
          ?.attachedRoutes === 1,
    );
  });

  it('does not accept a route whose Gateway does not exist', async () => {
    const { store } = startCluster();
    store.create(
      R.httproutes,
      testRoute('orphan', { parentRefs: [{ name: 'nope' }], rules: [] }),
    );
    const route = await routeWithStatus(store, 'orphan');
    const accepted = conditionOf(
      route.status.parents[0].conditions,
      'Accepted',
    );
    assert.equal(accepted.status, 'False');
    assert.equal(accepted.reason, 'NoMatchingParent');
  });
});
