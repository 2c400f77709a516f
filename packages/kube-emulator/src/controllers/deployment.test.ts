import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, Store } from '../store/types';
import { isPodReady } from './kubelet';
import { R } from './resources';
import {
  clusterPerTest,
  conditionOf,
  eventsFor,
  testDeployment,
  waitFor,
  waitForObject,
} from './testUtils';
import { isDeploymentComplete } from './deployment';

const podsInDefault = (store: Store) =>
  store.list(R.pods, { namespace: 'default' });
const replicaSetsInDefault = (store: Store) =>
  store.list(R.replicasets, { namespace: 'default' });
const revisionOf = (object: KubeObject) =>
  object.metadata.annotations?.['deployment.kubernetes.io/revision'];

/** Waits until the Deployment's rollout is complete and `also` holds for it; resolves to the Deployment. */
function waitForCompleteRollout(
  store: Store,
  name: string,
  what: string,
  also: (deployment: KubeObject) => unknown = () => true,
  timeoutMs?: number,
): Promise<KubeObject> {
  return waitForObject(
    what,
    () => store.get(R.deployments, 'default', name),
    dep => isDeploymentComplete(dep) && also(dep),
    timeoutMs,
  );
}

/** Creates Deployment `web` (app=web, hello:1.23.1) and waits for its rollout. */
async function rollOutWeb(store: Store, replicas: number, what = 'rollout') {
  store.create(
    R.deployments,
    testDeployment('web', { app: 'web' }, 'hello:1.23.1', replicas),
  );
  await waitForCompleteRollout(store, 'web', what);
}

function scaleWeb(store: Store, replicas: number) {
  store.modify(
    R.deployments,
    'default',
    'web',
    d => void (d.spec.replicas = replicas),
  );
}

describe('Deployment -> ReplicaSet -> Pods', () => {
  const startCluster = clusterPerTest();

  it('creates a ReplicaSet named after the pod template hash and three Ready pods with IPs', async () => {
    const { store } = startCluster();
    store.create(
      R.deployments,
      testDeployment('blue', { app: 'web', version: 'blue' }, 'hello:1.23.1'),
    );
    const d = await waitForCompleteRollout(store, 'blue', 'rollout complete');
    const [rs] = replicaSetsInDefault(store);
    const hash = rs.metadata.labels?.['pod-template-hash'];
    assert.ok(hash && hash.length === 10);
    assert.equal(rs.metadata.name, `blue-${hash}`);
    assert.deepEqual(
      rs.metadata.ownerReferences?.map(r => [r.kind, r.name, r.controller]),
      [['Deployment', 'blue', true]],
    );
    assert.equal(revisionOf(rs), '1');
    assert.equal(revisionOf(d), '1');

    const pods = store.list(R.pods, {
      namespace: 'default',
      labelSelector: 'app=web,version=blue',
    });
    assert.equal(pods.length, 3);
    for (const pod of pods) {
      assert.match(pod.metadata.name, new RegExp(`^blue-${hash}-[a-z0-9]{5}$`));
      assert.equal(pod.status.phase, 'Running');
      assert.ok(isPodReady(pod));
      assert.match(pod.status.podIP, /^10\.244\.\d+\.\d+$/);
      assert.ok(pod.spec.nodeName);
      assert.equal(pod.status.containerStatuses[0].image, 'hello:1.23.1');
      assert.equal(pod.status.containerStatuses[0].restartCount, 0);
      assert.equal(pod.metadata.ownerReferences?.[0].name, rs.metadata.name);
    }
    assert.equal(new Set(pods.map(p => p.status.podIP)).size, 3);

    assert.equal(d.status.replicas, 3);
    assert.equal(d.status.updatedReplicas, 3);
    assert.equal(d.status.readyReplicas, 3);
    assert.equal(d.status.availableReplicas, 3);
    assert.equal(d.status.unavailableReplicas, undefined);
    assert.equal(d.status.observedGeneration, d.metadata.generation);
    const available = conditionOf(d.status.conditions, 'Available');
    const progressing = conditionOf(d.status.conditions, 'Progressing');
    assert.equal(available.reason, 'MinimumReplicasAvailable');
    assert.equal(available.message, 'Deployment has minimum availability.');
    assert.equal(progressing.reason, 'NewReplicaSetAvailable');
    assert.equal(
      progressing.message,
      `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
    );

    const messages = eventsFor(store, 'default', 'blue').map(
      e => `${e.reason}: ${e.message}`,
    );
    assert.ok(
      messages.includes(
        `ScalingReplicaSet: Scaled up replica set ${rs.metadata.name} to 3 from 0`,
      ),
      messages.join('\n'),
    );
    const rsMessages = eventsFor(store, 'default', rs.metadata.name).map(
      e => e.message,
    );
    assert.equal(
      rsMessages.filter(m => String(m).startsWith('Created pod: ')).length,
      3,
    );
    const podEvents = eventsFor(store, 'default', pods[0].metadata.name);
    assert.deepEqual(
      podEvents
        .map(e => e.reason)
        .filter(r =>
          ['Scheduled', 'Pulled', 'Created', 'Started'].includes(String(r)),
        )
        .sort(),
      ['Created', 'Pulled', 'Scheduled', 'Started'],
    );
    const scheduled = podEvents.find(e => e.reason === 'Scheduled')!;
    assert.equal((scheduled as any).involvedObject.kind, 'Pod');
    assert.equal((scheduled as any).source.component, 'default-scheduler');
    assert.equal((scheduled as any).count, 1);
  });

  it('rolls a pod-template change to a new ReplicaSet, keeping pods available', async () => {
    const { store } = startCluster(200);
    await rollOutWeb(store, 4, 'first rollout');
    let minReady = Infinity;
    let maxPods = 0;
    const unsubscribe = store.subscribe(() => {
      const pods = podsInDefault(store);
      minReady = Math.min(minReady, pods.filter(isPodReady).length);
      maxPods = Math.max(maxPods, pods.length);
    });
    store.modify(R.deployments, 'default', 'web', d => {
      d.spec.template.spec.containers[0].image = 'hello:1.23.2';
    });
    const d = await waitForCompleteRollout(
      store,
      'web',
      'second rollout',
      dep => revisionOf(dep) === '2',
    );
    unsubscribe();
    const sets = replicaSetsInDefault(store).sort(
      (a, b) => Number(revisionOf(a)) - Number(revisionOf(b)),
    );
    assert.equal(sets.length, 2);
    assert.equal(sets[0].spec.replicas, 0);
    assert.equal(sets[1].spec.replicas, 4);
    assert.equal(revisionOf(sets[1]), '2');
    assert.equal(revisionOf(d), '2');
    const pods = podsInDefault(store);
    assert.equal(pods.length, 4);
    assert.ok(pods.every(p => p.spec.containers[0].image === 'hello:1.23.2'));
    // maxUnavailable 25% of 4 = 1, maxSurge 25% of 4 = 1
    assert.ok(minReady >= 3, `ready pods dropped to ${minReady}`);
    assert.ok(maxPods <= 5, `${maxPods} pods existed at once`);
    const messages = eventsFor(store, 'default', 'web').map(e =>
      String(e.message),
    );
    assert.ok(
      messages.some(m =>
        m.startsWith(`Scaled down replica set ${sets[0].metadata.name} to `),
      ),
      messages.join('\n'),
    );
  });

  it('scales to zero and back up', async () => {
    const { store } = startCluster();
    await rollOutWeb(store, 2);
    scaleWeb(store, 0);
    await waitForCompleteRollout(
      store,
      'web',
      'no pods',
      () => podsInDefault(store).length === 0,
    );
    scaleWeb(store, 5);
    const d = await waitForCompleteRollout(
      store,
      'web',
      'five ready',
      dep => dep.status.readyReplicas === 5,
    );
    assert.equal(replicaSetsInDefault(store).length, 1);
    assert.equal(d.status.availableReplicas, 5);
  });

  it('garbage-collects ReplicaSets and pods when the Deployment is deleted', async () => {
    const { store } = startCluster();
    await rollOutWeb(store, 2);
    store.delete(R.deployments, 'default', 'web');
    await waitFor(
      'gc',
      () =>
        podsInDefault(store).length === 0 &&
        replicaSetsInDefault(store).length === 0,
    );
  });

  it('reports ProgressDeadlineExceeded when pods never become ready', async () => {
    const { store } = startCluster(1000);
    const d = testDeployment('stuck', { app: 'stuck' }, 'hello:1.23.1', 1);
    d.spec.progressDeadlineSeconds = 30;
    d.spec.template.metadata.annotations = {
      'kube-emulator.io/not-ready': 'true',
    };
    store.create(R.deployments, d);
    const stuck = await waitForObject(
      'deadline',
      () => store.get(R.deployments, 'default', 'stuck'),
      dep =>
        conditionOf(dep.status?.conditions, 'Progressing')?.reason ===
        'ProgressDeadlineExceeded',
      8000,
    );
    const progressing = conditionOf(stuck.status.conditions, 'Progressing');
    assert.equal(progressing.status, 'False');
    assert.match(
      progressing.message,
      /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/,
    );
    assert.equal(
      conditionOf(stuck.status.conditions, 'Available').reason,
      'MinimumReplicasUnavailable',
    );
  });

  it('replaces a deleted pod', async () => {
    const { store } = startCluster();
    await rollOutWeb(store, 2);
    const [victim] = podsInDefault(store);
    store.delete(R.pods, 'default', victim.metadata.name);
    const pods = await waitFor('replacement ready', () => {
      const list = podsInDefault(store);
      return list.length === 2 && list.every(isPodReady) && list;
    });
    assert.ok(!pods.some(p => p.metadata.name === victim.metadata.name));
  });

  it('stops acting once stopped', async () => {
    const cluster = startCluster();
    const { store } = cluster;
    cluster.stop();
    store.create(
      R.deployments,
      testDeployment('web', { app: 'web' }, 'hello:1.23.1', 2),
    );
    await new Promise(resolve => setTimeout(resolve, 100));
    assert.equal(replicaSetsInDefault(store).length, 0);
    assert.equal(
      store.get(R.deployments, 'default', 'web')!.status?.replicas,
      undefined,
    );
  });
});
