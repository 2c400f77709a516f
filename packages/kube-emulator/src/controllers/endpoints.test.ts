import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, Store } from '../store/types';
import { isPodReady } from './kubelet';
import { R } from './resources';
import {
  clusterPerTest,
  testDeployment,
  testService,
  waitFor,
  waitForObject,
} from './testUtils';

function readyIps(store: Store, selector: string): string[] {
  return store
    .list(R.pods, { namespace: 'default', labelSelector: selector })
    .filter(isPodReady)
    .map(p => p.status.podIP)
    .sort();
}

/** The Service's ready Endpoints addresses, sorted. */
function endpointIps(store: Store, service: string): string[] {
  return (store.get(R.endpoints, 'default', service)?.subsets ?? [])
    .flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip))
    .sort();
}

/** The (single) EndpointSlice the controller keeps for a Service. */
function sliceOf(store: Store, service: string): KubeObject {
  const [slice] = store.list(R.endpointslices, {
    namespace: 'default',
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  return slice;
}

const sliceIps = (slice: KubeObject): string[] =>
  (slice.endpoints as any[]).map(e => e.addresses[0]).sort();

// Compared as JSON so that order and length both count, like deepEqual.
const sameIps = (actual: string[], expected: string[]) =>
  JSON.stringify(actual) === JSON.stringify(expected);

describe('Service -> Endpoints and EndpointSlices', () => {
  const startCluster = clusterPerTest();

  it('lists the ready pods of the selector and follows a selector patch (blue -> green)', async () => {
    const { store } = startCluster();
    store.create(
      R.deployments,
      testDeployment('blue', { app: 'web', version: 'blue' }, 'hello:1.23.1'),
    );
    store.create(
      R.deployments,
      testDeployment('green', { app: 'web', version: 'green' }, 'hello:1.23.2'),
    );
    store.create(
      R.services,
      testService('web', {
        selector: { app: 'web', version: 'blue' },
        ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }],
      }),
    );
    await waitFor(
      'six ready pods',
      () => readyIps(store, 'app=web').length === 6,
    );
    const blue = readyIps(store, 'app=web,version=blue');
    await waitFor('blue endpoints', () =>
      sameIps(endpointIps(store, 'web'), blue),
    );

    const slice = sliceOf(store, 'web');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: '', port: 80, protocol: 'TCP' }]);
    assert.deepEqual(sliceIps(slice), blue);
    assert.ok(
      (slice.endpoints as any[]).every(
        e => e.conditions.ready === true && e.targetRef.kind === 'Pod',
      ),
    );
    assert.equal(slice.metadata.ownerReferences?.[0].kind, 'Service');

    const svc = store.get(R.services, 'default', 'web')!;
    assert.match(svc.spec.clusterIP, /^10\.96\.\d+\.\d+$/);
    assert.equal(svc.spec.type, 'ClusterIP');

    store.modify(
      R.services,
      'default',
      'web',
      s => void (s.spec.selector = { app: 'web', version: 'green' }),
    );
    const green = readyIps(store, 'app=web,version=green');
    await waitFor('green endpoints', () =>
      sameIps(endpointIps(store, 'web'), green),
    );
    await waitFor('green slice', () =>
      sameIps(sliceIps(sliceOf(store, 'web')), green),
    );
    assert.notDeepEqual(blue, green);
  });

  it('keeps not-ready pods out of the ready addresses and resolves named target ports', async () => {
    const { store } = startCluster();
    const d = testDeployment('slow', { app: 'slow' }, 'hello:1', 1);
    d.spec.template.metadata.annotations = {
      'kube-emulator.io/not-ready': 'true',
    };
    d.spec.template.spec.containers[0].ports = [
      { name: 'http', containerPort: 8080 },
    ];
    store.create(R.deployments, d);
    store.create(
      R.services,
      testService('slow', {
        selector: { app: 'slow' },
        ports: [{ name: 'web', port: 80, targetPort: 'http' }],
      }),
    );
    const ep = await waitForObject(
      'not-ready address',
      () => store.get(R.endpoints, 'default', 'slow'),
      e => e.subsets?.[0]?.notReadyAddresses?.length === 1,
    );
    assert.equal(ep.subsets[0].addresses, undefined);
    assert.deepEqual(ep.subsets[0].ports, [
      { name: 'web', port: 8080, protocol: 'TCP' },
    ]);
    const slice = sliceOf(store, 'slow');
    assert.equal((slice.endpoints as any[])[0].conditions.ready, false);
    assert.deepEqual(slice.ports, [
      { name: 'web', port: 8080, protocol: 'TCP' },
    ]);
  });

  it('gives a LoadBalancer Service an ingress IP', async () => {
    const { store } = startCluster();
    store.create(
      R.services,
      testService('ingress', {
        type: 'LoadBalancer',
        selector: { app: 'none' },
        ports: [{ name: 'http2', port: 80, targetPort: 8080 }],
      }),
    );
    const svc = await waitForObject(
      'ingress ip',
      () => store.get(R.services, 'default', 'ingress'),
      s => s.status?.loadBalancer?.ingress?.[0]?.ip,
    );
    assert.match(svc.status.loadBalancer.ingress[0].ip, /^192\.168\.134\.\d+$/);
    assert.ok(svc.spec.ports[0].nodePort >= 30000);
  });

  it('gives every LoadBalancer Service its own address of the pool, and leaves one pending when the pool is full', async () => {
    const { store } = startCluster();
    const names = Array.from({ length: 101 }, (_, i) => `lb-${i}`);
    for (const name of names) {
      store.create(
        R.services,
        testService(name, { type: 'LoadBalancer', ports: [{ port: 80 }] }),
      );
    }
    const ipOf = (name: string): string | undefined =>
      store.get(R.services, 'default', name)?.status?.loadBalancer?.ingress?.[0]
        ?.ip;
    await waitFor(
      'a hundred addresses',
      () => names.filter(ipOf).length === 100,
    );
    const ips = names.map(ipOf).filter((ip): ip is string => Boolean(ip));
    assert.equal(new Set(ips).size, 100, 'no address is given twice');
    for (const ip of ips) {
      const host = Number(ip.split('.')[3]);
      assert.ok(
        ip.startsWith('192.168.134.') && host >= 100 && host <= 199,
        ip,
      );
    }
    // Deleting one frees its address for the pending Service.
    const pending = names.find(name => !ipOf(name))!;
    const freed = ipOf('lb-0')!;
    store.delete(R.services, 'default', 'lb-0');
    store.modify(R.services, 'default', pending, svc => {
      svc.metadata.annotations = { touched: 'true' };
      return true;
    });
    await waitFor('the freed address', () => ipOf(pending) === freed);
  });
});
