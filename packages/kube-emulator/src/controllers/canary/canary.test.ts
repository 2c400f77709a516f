import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../store/errors';
import type { KubeObject, Store } from '../../store/types';
import { isDeploymentComplete } from '../deployment';
import { R } from '../resources';
import { canaryActions } from './spec';
import {
  clusterPerTest,
  eventsFor,
  testDeployment,
  waitFor,
} from '../testUtils';

const NS = 'flagger-demo';

const demoImage = (colour: string) =>
  `quay.io/codefresh/rollouts-demo:${colour}`;

/** Flagger's usual analysis: 5% steps up to 50%, rolling back after 10 failed checks. */
const STEPS_OF_5_UP_TO_50 = {
  interval: '2m',
  maxWeight: 50,
  stepWeight: 5,
  threshold: 10,
};

/** The Deployment a CanaryDelivery targets: two replicas of container `http` on port 8080. */
function target(name: string, image: string): KubeObject {
  const deployment = testDeployment(name, { app: name }, image, 2, NS, 'http');
  deployment.spec.template.spec.containers[0].ports = [{ containerPort: 8080 }];
  return deployment;
}

function canaryDelivery(
  name: string,
  analysis: Record<string, unknown>,
): KubeObject {
  return {
    apiVersion: 'asm.alauda.io/v1alpha1',
    kind: 'CanaryDelivery',
    metadata: { name, namespace: NS },
    spec: {
      service: {
        gateways: ['flagger-demo/istio-rollout-gateway', 'mesh'],
        hosts: [`${name}.asm.com`, `${name}.flagger-demo.svc.cluster.local`],
      },
      analysis,
      delivertype: 'canary',
      maxResponseTime: 500,
      minSuccessRate: 95,
      promoteControl: 'system',
      targetRef: { name },
      trafficControl: 'system',
    },
  };
}

const canaryStatus = (store: Store, name: string) =>
  store.get(R.canarydeliveries, NS, name)?.status;
const phaseOf = (store: Store, name: string) =>
  canaryStatus(store, name)?.phase;
const primaryImage = (store: Store, name: string) =>
  store.get(R.deployments, NS, `${name}-primary`)!.spec.template.spec
    .containers[0].image;
const targetReplicas = (store: Store, name: string) =>
  store.get(R.deployments, NS, name)!.spec.replicas;
const flaggerMessages = (store: Store, name: string) =>
  eventsFor(store, NS, name)
    .filter(e => (e as any).source?.component === 'flagger')
    .sort(
      (a, b) =>
        String((a as any).firstTimestamp).localeCompare(
          String((b as any).firstTimestamp),
        ) || String(a.metadata.name).localeCompare(String(b.metadata.name)),
    )
    .map(e => String(e.message));
const vsWeights = (store: Store, name: string) =>
  store
    .get(R.virtualservices, NS, name)
    ?.spec?.http?.[0]?.route?.map(
      (r: any) => `${r.destination.host}=${r.weight}`,
    )
    .join(',');
const canaryEvents = (store: Store, name: string) =>
  store
    .list(R.canaryevents, {
      namespace: NS,
      labelSelector: `asm.cpaas.io/msname=${name}`,
    })
    .sort((a, b) =>
      String(a.metadata.creationTimestamp).localeCompare(
        String(b.metadata.creationTimestamp),
      ),
    );

function assertAllTrafficOnPrimary(store: Store, name: string) {
  assert.equal(vsWeights(store, name), `${name}-primary=100,${name}-canary=0`);
}

function setImage(
  store: Store,
  name: string,
  image: string,
  annotations?: Record<string, string>,
) {
  store.modify(R.deployments, NS, name, d => {
    d.spec.template.spec.containers[0].image = image;
    if (annotations) d.spec.template.metadata.annotations = annotations;
  });
}

/** Labels a CanaryEvent the way an operator asks Flagger to roll back or promote its run. */
function requestAction(
  store: Store,
  event: KubeObject,
  action: 'rollback' | 'promote',
) {
  store.modify(
    R.canaryevents,
    NS,
    event.metadata.name,
    ev => void (ev.metadata.labels = { ...ev.metadata.labels, action }),
  );
}

/** Records the canary weight of every VirtualService write until `stop()`. */
function recordCanaryWeights(store: Store) {
  const weights: number[] = [];
  const stop = store.subscribe(e => {
    if (e.resource.resource === 'virtualservices')
      weights.push(e.object.spec.http[0].route[1].weight);
  });
  return { weights, stop };
}

function waitForPhase(
  store: Store,
  name: string,
  phase: string,
  timeoutMs?: number,
) {
  return waitFor(phase, () => phaseOf(store, name) === phase, timeoutMs);
}

/** Waits until the CanaryEvents of `name` (oldest first) satisfy `check`; resolves to them. */
function waitForCanaryEvents(
  store: Store,
  name: string,
  what: string,
  check: (events: KubeObject[]) => unknown,
): Promise<KubeObject[]> {
  return waitFor(
    what,
    () => {
      const events = canaryEvents(store, name);
      return check(events) ? events : undefined;
    },
    8000,
  );
}

/** Creates the target (blue image) and its CanaryDelivery, and waits for Flagger's initialization. */
async function initialized(
  store: Store,
  name: string,
  analysis: Record<string, unknown>,
) {
  store.create(R.deployments, target(name, demoImage('blue')));
  store.create(R.canarydeliveries, canaryDelivery(name, analysis));
  await waitForPhase(store, name, 'Initialized');
}

describe('CanaryDelivery (simulated Flagger)', () => {
  const startCluster = clusterPerTest();

  it('initializes: primary Deployment, apex/canary/primary Services, VirtualService, target scaled to zero', async () => {
    const { store } = startCluster();
    await initialized(store, 'canary-demo', STEPS_OF_5_UP_TO_50);
    const primary = store.get(R.deployments, NS, 'canary-demo-primary')!;
    assert.deepEqual(primary.spec.selector, {
      matchLabels: { app: 'canary-demo-primary' },
    });
    assert.equal(
      primary.spec.template.metadata.labels.app,
      'canary-demo-primary',
    );
    assert.equal(primaryImage(store, 'canary-demo'), demoImage('blue'));
    assert.equal(primary.metadata.ownerReferences?.[0].kind, 'CanaryDelivery');
    assert.ok(isDeploymentComplete(primary));
    assert.equal(targetReplicas(store, 'canary-demo'), 0);
    const service = (name: string) => store.get(R.services, NS, name)!;
    assert.deepEqual(service('canary-demo').spec.selector, {
      app: 'canary-demo-primary',
    });
    assert.deepEqual(service('canary-demo-primary').spec.selector, {
      app: 'canary-demo-primary',
    });
    assert.deepEqual(service('canary-demo-canary').spec.selector, {
      app: 'canary-demo',
    });
    assert.equal(service('canary-demo').spec.ports[0].targetPort, 8080);
    const vs = store.get(R.virtualservices, NS, 'canary-demo')!;
    assert.deepEqual(vs.spec.hosts, [
      'canary-demo.asm.com',
      'canary-demo.flagger-demo.svc.cluster.local',
      'canary-demo',
    ]);
    assert.deepEqual(vs.spec.gateways, [
      'flagger-demo/istio-rollout-gateway',
      'mesh',
    ]);
    assertAllTrafficOnPrimary(store, 'canary-demo');
    const status = canaryStatus(store, 'canary-demo');
    assert.equal(status.canaryWeight, 0);
    assert.equal(status.lastAppliedSpec, status.lastPromotedSpec);
    assert.deepEqual(
      status.conditions.map((c: any) => [c.type, c.status, c.reason]),
      [['Promoted', 'True', 'Initialized']],
    );
    assert.deepEqual(flaggerMessages(store, 'canary-demo'), [
      'Initialization done! canary-demo.flagger-demo',
    ]);
    assert.equal(canaryEvents(store, 'canary-demo').length, 0);
  });

  it('runs a canary release after a template change and promotes it', async () => {
    const { store } = startCluster(2000);
    await initialized(store, 'canary-demo', STEPS_OF_5_UP_TO_50);
    const recorded = recordCanaryWeights(store);
    setImage(store, 'canary-demo', demoImage('green'));
    await waitForPhase(store, 'canary-demo', 'Progressing');
    assert.equal(targetReplicas(store, 'canary-demo'), 2);
    await waitForPhase(store, 'canary-demo', 'Succeeded', 10_000);
    recorded.stop();
    assert.deepEqual(
      [...new Set(recorded.weights)].sort((a, b) => a - b),
      [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50],
    );
    assert.equal(primaryImage(store, 'canary-demo'), demoImage('green'));
    assert.equal(targetReplicas(store, 'canary-demo'), 0);
    assertAllTrafficOnPrimary(store, 'canary-demo');
    const status = canaryStatus(store, 'canary-demo');
    assert.equal(status.lastPromotedSpec, status.lastAppliedSpec);
    assert.deepEqual(
      status.conditions.map((c: any) => [c.status, c.reason]),
      [['True', 'Succeeded']],
    );

    const messages = flaggerMessages(store, 'canary-demo');
    const expected = [
      'New revision detected! Scaling up canary-demo.flagger-demo',
      'Starting canary analysis for canary-demo.flagger-demo',
      'Advance canary-demo.flagger-demo canary weight 5',
      'Advance canary-demo.flagger-demo canary weight 50',
      'Copying canary-demo.flagger-demo template spec to canary-demo-primary.flagger-demo',
      'Routing all traffic to primary',
      'Promotion completed! Scaling down canary-demo.flagger-demo',
    ];
    for (const m of expected)
      assert.ok(
        messages.includes(m),
        `missing "${m}" in\n${messages.join('\n')}`,
      );

    const [event] = canaryEvents(store, 'canary-demo');
    assert.equal(event.spec.phase, 'Succeeded');
    assert.equal(event.spec.result, 'Succeeded');
    assert.equal(event.spec.revision, demoImage('green'));
    assert.equal(event.spec.previousRevision, demoImage('blue'));
    assert.equal(event.spec.templateHash, status.lastAppliedSpec);
    assert.deepEqual(event.spec.images, [
      { container: 'http', image: demoImage('green') },
    ]);
    assert.deepEqual(event.spec.previousImages, [
      { container: 'http', image: demoImage('blue') },
    ]);
    assert.deepEqual(
      event.spec.steps.map((w: any) => w.weight),
      [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 0],
    );
    assert.equal(event.spec.checks.length, 10);
    assert.ok(
      event.spec.checks.every(
        (c: any) => c.passed && c.successRate >= 95 && c.responseTimeMs <= 500,
      ),
    );
    assert.ok(event.spec.startTime && event.spec.endTime);
    assert.equal(
      event.spec.message,
      'Promotion completed! Scaling down canary-demo.flagger-demo',
    );
    assert.equal(event.metadata.ownerReferences?.[0].name, 'canary-demo');
  });

  it('rolls back automatically when an unhealthy version fails `threshold` checks', async () => {
    const { store } = startCluster();
    await initialized(store, 'canary-demo', {
      interval: '1m',
      maxWeight: 50,
      stepWeight: 10,
      threshold: 3,
    });
    setImage(store, 'canary-demo', demoImage('red'), {
      'kube-emulator.io/unhealthy': 'true',
    });
    await waitForPhase(store, 'canary-demo', 'Failed', 8000);
    const messages = flaggerMessages(store, 'canary-demo');
    const halts = messages.filter(m =>
      m.startsWith('Halt canary-demo.flagger-demo advancement success rate '),
    );
    assert.ok(halts.length >= 1, messages.join('\n'));
    assert.match(
      halts[0],
      /^Halt canary-demo\.flagger-demo advancement success rate \d+\.\d\d% < 95%$/,
    );
    assert.ok(
      messages.includes(
        'Rolling back canary-demo.flagger-demo failed checks threshold reached 3',
      ),
      messages.join('\n'),
    );
    assert.ok(
      messages.includes('Canary failed! Scaling down canary-demo.flagger-demo'),
    );
    assertAllTrafficOnPrimary(store, 'canary-demo');
    assert.equal(targetReplicas(store, 'canary-demo'), 0);
    assert.equal(primaryImage(store, 'canary-demo'), demoImage('blue'));
    const status = canaryStatus(store, 'canary-demo');
    assert.equal(status.failedChecks, 3);
    assert.deepEqual(
      status.conditions.map((c: any) => [c.status, c.reason]),
      [['False', 'Failed']],
    );
    const [event] = canaryEvents(store, 'canary-demo');
    assert.equal(event.spec.phase, 'Failed');
    assert.equal(event.spec.result, 'Failed');
    assert.equal(event.spec.checks.filter((c: any) => !c.passed).length, 3);
    assert.ok(event.spec.checks.every((c: any) => c.weight === 10));
  });

  it('rolls back when the newest CanaryEvent is labelled action=rollback, and promotes on action=promote', async () => {
    const { store } = startCluster(200);
    await initialized(store, 'canary-demo', STEPS_OF_5_UP_TO_50);
    setImage(store, 'canary-demo', demoImage('green'));
    const [first] = await waitForCanaryEvents(
      store,
      'canary-demo',
      'weight 10',
      events =>
        events.length > 0 &&
        canaryStatus(store, 'canary-demo')?.canaryWeight === 10,
    );
    requestAction(store, first, 'rollback');
    await waitForPhase(store, 'canary-demo', 'Failed');
    const rolledBack = store.get(R.canaryevents, NS, first.metadata.name)!;
    assert.equal(rolledBack.spec.result, 'RolledBack');
    assert.equal(rolledBack.spec.action.outcome, 'RolledBack');
    assertAllTrafficOnPrimary(store, 'canary-demo');
    assert.ok(
      flaggerMessages(store, 'canary-demo').some(m =>
        m.startsWith(
          'Rolling back canary-demo.flagger-demo manual rollback requested',
        ),
      ),
    );

    setImage(store, 'canary-demo', demoImage('yellow'));
    const [, second] = await waitForCanaryEvents(
      store,
      'canary-demo',
      'second run event',
      events => events.length === 2 && events[1].spec.canaryWeight === 5,
    );
    // kubectl --sort-by has one-second resolution: the newest run must be strictly later.
    assert.ok(
      Date.parse(second.metadata.creationTimestamp!) >=
        Date.parse(first.metadata.creationTimestamp!) + 1000,
    );
    requestAction(store, second, 'promote');
    await waitForPhase(store, 'canary-demo', 'Succeeded', 8000);
    assert.equal(primaryImage(store, 'canary-demo'), demoImage('yellow'));
    assert.equal(
      store.get(R.canaryevents, NS, second.metadata.name)!.spec.result,
      'Succeeded',
    );
  });

  it('ignores an action label on an older CanaryEvent', async () => {
    const { store } = startCluster();
    await initialized(store, 'canary-demo', {
      interval: '1m',
      maxWeight: 20,
      stepWeight: 10,
      threshold: 2,
    });
    setImage(store, 'canary-demo', demoImage('green'));
    await waitForPhase(store, 'canary-demo', 'Succeeded', 8000);
    const [done] = canaryEvents(store, 'canary-demo');
    requestAction(store, done, 'rollback');
    const ignored = await waitFor(
      'ignored',
      () => store.get(R.canaryevents, NS, done.metadata.name)?.spec?.action,
    );
    assert.match(ignored.outcome, /^Ignored/);
    assert.equal(phaseOf(store, 'canary-demo'), 'Succeeded');
    assert.equal(primaryImage(store, 'canary-demo'), demoImage('green'));
  });

  it('runs blue/green (stepWeight = maxWeight = 100) as iterations at weight 0, then all traffic at once', async () => {
    const { store } = startCluster();
    await initialized(store, 'bluegreen-demo', {
      interval: '4m',
      maxWeight: 100,
      stepWeight: 100,
      threshold: 10,
    });
    const recorded = recordCanaryWeights(store);
    const iterations: number[] = [];
    const stopIterations = store.subscribe(e => {
      if (
        e.resource.resource === 'canarydeliveries' &&
        e.object.metadata.name === 'bluegreen-demo' &&
        iterations[iterations.length - 1] !== e.object.status?.iterations
      )
        iterations.push(e.object.status?.iterations);
    });
    setImage(store, 'bluegreen-demo', demoImage('green'));
    await waitForPhase(store, 'bluegreen-demo', 'Succeeded', 8000);
    recorded.stop();
    stopIterations();
    // No weight steps: the canary keeps weight 0 during the iterations, then gets all traffic, then none.
    assert.deepEqual(recorded.weights, [100, 0]);
    assert.deepEqual(iterations, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(canaryStatus(store, 'bluegreen-demo').iterations, 10);
    const messages = flaggerMessages(store, 'bluegreen-demo');
    const advances = messages.filter(m => m.startsWith('Advance '));
    assert.deepEqual(
      advances,
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(
        n => `Advance bluegreen-demo.flagger-demo canary iteration ${n}/10`,
      ),
      messages.join('\n'),
    );
    const routing = messages.indexOf('Routing all traffic to canary');
    assert.ok(
      routing > messages.indexOf(advances[9]) &&
        routing <
          messages.indexOf(
            'Copying bluegreen-demo.flagger-demo template spec to bluegreen-demo-primary.flagger-demo',
          ),
      messages.join('\n'),
    );
    assert.equal(primaryImage(store, 'bluegreen-demo'), demoImage('green'));
    assertAllTrafficOnPrimary(store, 'bluegreen-demo');
    const [event] = canaryEvents(store, 'bluegreen-demo');
    assert.equal(event.spec.result, 'Succeeded');
    assert.equal(event.spec.iterations, 10);
    assert.equal(event.spec.analysis.iterations, 10);
    // Every iteration's check measured the canary (at weight 0), then one check with all traffic on it.
    assert.deepEqual(
      event.spec.checks.map((c: any) => [c.iteration, c.weight, c.passed]),
      [
        ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(n => [n, 0, true]),
        [undefined, 100, true],
      ],
    );
    for (const c of event.spec.checks) assert.ok(c.successRate >= 99.8);
  });

  it('uses analysis.iterations for blue/green when given', async () => {
    const { store } = startCluster();
    await initialized(store, 'bluegreen-demo', {
      interval: '4m',
      maxWeight: 100,
      stepWeight: 100,
      threshold: 10,
      iterations: 3,
    });
    setImage(store, 'bluegreen-demo', demoImage('green'));
    await waitForPhase(store, 'bluegreen-demo', 'Succeeded', 8000);
    const advances = flaggerMessages(store, 'bluegreen-demo').filter(m =>
      m.startsWith('Advance '),
    );
    assert.deepEqual(advances, [
      'Advance bluegreen-demo.flagger-demo canary iteration 1/3',
      'Advance bluegreen-demo.flagger-demo canary iteration 2/3',
      'Advance bluegreen-demo.flagger-demo canary iteration 3/3',
    ]);
    assert.equal(canaryStatus(store, 'bluegreen-demo').iterations, 3);
  });

  it('rolls back a blue/green run whose canary fails its iteration checks, without routing traffic to it', async () => {
    const { store } = startCluster();
    await initialized(store, 'bluegreen-demo', {
      interval: '4m',
      maxWeight: 100,
      stepWeight: 100,
      threshold: 2,
    });
    const recorded = recordCanaryWeights(store);
    setImage(store, 'bluegreen-demo', demoImage('bad-red'));
    await waitForPhase(store, 'bluegreen-demo', 'Failed', 8000);
    recorded.stop();
    assert.ok(
      recorded.weights.every(w => w === 0),
      recorded.weights.join(','),
    );
    const messages = flaggerMessages(store, 'bluegreen-demo');
    assert.ok(!messages.some(m => m.startsWith('Advance ')));
    assert.ok(
      messages.includes(
        'Rolling back bluegreen-demo.flagger-demo failed checks threshold reached 2',
      ),
      messages.join('\n'),
    );
    assertAllTrafficOnPrimary(store, 'bluegreen-demo');
    assert.equal(primaryImage(store, 'bluegreen-demo'), demoImage('blue'));
    const status = canaryStatus(store, 'bluegreen-demo');
    assert.equal(status.failedChecks, 2);
    assert.equal(status.iterations, 0);
    const [event] = canaryEvents(store, 'bluegreen-demo');
    assert.equal(event.spec.result, 'Failed');
    assert.deepEqual(
      event.spec.checks.map((c: any) => [c.iteration, c.weight, c.passed]),
      [
        [1, 0, false],
        [1, 0, false],
      ],
    );
    for (const c of event.spec.checks) assert.ok(c.successRate < 95);
  });

  it('restarts the analysis when the target changes during a run', async () => {
    const { store } = startCluster(200);
    await initialized(store, 'canary-demo', STEPS_OF_5_UP_TO_50);
    setImage(store, 'canary-demo', demoImage('green'));
    await waitFor(
      'weight 5',
      () => canaryStatus(store, 'canary-demo')?.canaryWeight === 5,
      8000,
    );
    setImage(store, 'canary-demo', demoImage('orange'));
    const events = await waitForCanaryEvents(
      store,
      'canary-demo',
      'two runs',
      list => list.length === 2,
    );
    assert.equal(events[0].spec.result, 'Failed');
    assert.match(
      events[0].spec.message,
      /^Superseded by a newer revision: New revision detected! Restarting analysis/,
    );
    assert.ok(
      flaggerMessages(store, 'canary-demo').includes(
        'New revision detected! Restarting analysis for canary-demo.flagger-demo',
      ),
    );
    assert.deepEqual(events[1].spec.images, [
      { container: 'http', image: demoImage('orange') },
    ]);
  });

  it("publishes the CanaryEvent spec in its CRD's schema, keeping other fields", async () => {
    const { store } = startCluster();
    const crd = store.get(
      { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
      undefined,
      'canaryevents.asm.alauda.io',
    )!;
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    assert.equal(spec['x-kubernetes-preserve-unknown-fields'], true);
    assert.deepEqual(Object.keys(spec.properties).sort(), [
      'checks',
      'endTime',
      'message',
      'phase',
      'result',
      'revision',
      'startTime',
      'steps',
    ]);
    assert.deepEqual(Object.keys(spec.properties.checks.items.properties), [
      'time',
      'weight',
      'successRate',
      'responseTimeMs',
      'passed',
      'message',
    ]);
    assert.deepEqual(spec.properties.result.enum, [
      'Succeeded',
      'Failed',
      'RolledBack',
    ]);
    const event = (name: string, body: Record<string, unknown>) => ({
      apiVersion: 'asm.alauda.io/v1alpha1',
      kind: 'CanaryEvent',
      metadata: {
        name,
        namespace: NS,
        labels: { 'asm.cpaas.io/msname': 'canary-demo' },
      },
      ...body,
    });
    // A real ASM event: no spec, or fields of its own.
    store.create(R.canaryevents, event('bare', {}));
    const other = store.create(
      R.canaryevents,
      event('asm', { spec: { asmField: { a: 1 }, phase: 'Succeeded' } }),
    );
    assert.deepEqual(other.spec.asmField, { a: 1 });
    assert.throws(
      () =>
        store.create(
          R.canaryevents,
          event('bad', {
            spec: { result: 'Published', steps: [{ weight: 'x' }] },
          }),
        ),
      (err: unknown) =>
        err instanceof StatusError &&
        err.code === 422 &&
        /spec\.result/.test(err.message) &&
        /spec\.steps\[0\]\.weight/.test(err.message),
    );
  });

  it('marks a CanaryDelivery without its target Failed, creates nothing, and initializes once the target exists', async () => {
    const { store } = startCluster();
    store.create(
      R.canarydeliveries,
      canaryDelivery('canary-demo', STEPS_OF_5_UP_TO_50),
    );
    await waitForPhase(store, 'canary-demo', 'Failed');
    assert.deepEqual(
      canaryStatus(store, 'canary-demo').conditions.map((c: any) => [
        c.status,
        c.reason,
        c.message,
      ]),
      [
        [
          'False',
          'TargetNotFound',
          'target Deployment canary-demo.flagger-demo not found: deployments.apps "canary-demo" not found',
        ],
      ],
    );
    assert.equal(
      store.get(R.deployments, NS, 'canary-demo-primary'),
      undefined,
    );
    assert.equal(store.list(R.services, { namespace: NS }).length, 0);
    assert.equal(store.get(R.virtualservices, NS, 'canary-demo'), undefined);

    store.create(R.deployments, target('canary-demo', demoImage('blue')));
    await waitForPhase(store, 'canary-demo', 'Initialized');
    assertAllTrafficOnPrimary(store, 'canary-demo');
  });

  it('obeys configured action labels (canaryActions) and ignores the default ones', async () => {
    const { store } = startCluster(200, 2000, {
      canaryActions: {
        label: 'asm.cpaas.io/action',
        rollback: 'abort',
        promote: 'ship',
      },
    });
    await initialized(store, 'canary-demo', STEPS_OF_5_UP_TO_50);
    const label = (event: KubeObject, labels: Record<string, string>) =>
      store.modify(
        R.canaryevents,
        NS,
        event.metadata.name,
        ev => void (ev.metadata.labels = { ...ev.metadata.labels, ...labels }),
      );
    setImage(store, 'canary-demo', demoImage('green'));
    const [first] = await waitForCanaryEvents(
      store,
      'canary-demo',
      'weight 10',
      events =>
        events.length > 0 &&
        canaryStatus(store, 'canary-demo')?.canaryWeight === 10,
    );
    // The default label means nothing now.
    label(first, { action: 'rollback' });
    await waitFor(
      'weight 15',
      () => canaryStatus(store, 'canary-demo')?.canaryWeight === 15,
      8000,
    );
    assert.equal(phaseOf(store, 'canary-demo'), 'Progressing');
    label(first, { 'asm.cpaas.io/action': 'abort' });
    await waitForPhase(store, 'canary-demo', 'Failed');
    const rolledBack = store.get(R.canaryevents, NS, first.metadata.name)!;
    assert.equal(rolledBack.spec.result, 'RolledBack');
    assert.ok(
      flaggerMessages(store, 'canary-demo').some(m =>
        m.endsWith('labelled asm.cpaas.io/action=abort)'),
      ),
    );

    setImage(store, 'canary-demo', demoImage('yellow'));
    const [, second] = await waitForCanaryEvents(
      store,
      'canary-demo',
      'second run event',
      events => events.length === 2 && events[1].spec.canaryWeight === 5,
    );
    label(second, { 'asm.cpaas.io/action': 'ship' });
    await waitForPhase(store, 'canary-demo', 'Succeeded', 8000);
    assert.equal(primaryImage(store, 'canary-demo'), demoImage('yellow'));

    assert.deepEqual(canaryActions(), {
      label: 'action',
      rollback: 'rollback',
      promote: 'promote',
    });
    assert.throws(() => canaryActions({ promote: 'rollback' }), /must differ/);
    assert.throws(() => canaryActions({ label: '' }), /non-empty/);
  });
});
