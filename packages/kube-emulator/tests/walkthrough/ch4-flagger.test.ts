import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Walkthrough, eventually, startWalkthrough } from './harness';

// Chapter 4: Flagger through Alauda's CanaryDelivery. 120x: the document's 2m analysis interval takes one real second.
describe('chapter 4 — canary and blue-green with CanaryDelivery (Flagger)', () => {
  let w: Walkthrough;
  before(async () => {
    w = await startWalkthrough('ch4', 120);
  });
  after(async () => w?.stop());

  const vsWeights = () =>
    w.ok(
      `kubectl get vs canary-demo -n flagger-demo -o jsonpath='{range .spec.http[0].route[*]}{.destination.host}={.weight} {end}'`,
    );
  const phase = (name: string) =>
    w.ok(
      `kubectl get canarydelivery ${name} -n flagger-demo -o jsonpath='{.status.phase}'`,
    );
  const newestEvent = () =>
    w.ok(`kubectl get canaryevents.asm.alauda.io -n flagger-demo \\
  -l asm.cpaas.io/msname=canary-demo \\
  --sort-by='{.metadata.creationTimestamp}' \\
  -o name | tail -n 1`);

  it('creates the primary Deployment, the -canary/-primary Services and the VirtualService', async () => {
    await w.ok('kubectl apply -f prerequisites.yaml');
    await w.ok('kubectl apply -f canary-demo.yaml');
    await w.ok(
      'kubectl rollout status deployment/canary-demo -n flagger-demo --timeout=60s',
      70_000,
    );
    assert.match(
      await w.ok('kubectl apply -f canary-delivery.yaml'),
      /canarydelivery.asm.alauda.io\/canary-demo created/,
    );
    await eventually(
      'Initialized',
      () => phase('canary-demo'),
      p => p === 'Initialized',
    );

    const deployments = await eventually(
      'primary 2/2 and canary 0/0',
      () => w.ok('kubectl get deployments.apps -n flagger-demo'),
      out =>
        /canary-demo-primary\s+2\/2\s+2\s+2\s/.test(out) &&
        /canary-demo\s+0\/0\s+0\s+0\s/.test(out),
    );
    assert.match(deployments, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE/);
    const services = await w.ok('kubectl get svc -n flagger-demo');
    for (const svc of [
      'canary-demo',
      'canary-demo-canary',
      'canary-demo-primary',
    ])
      assert.match(
        services,
        new RegExp(`^${svc}\\s+ClusterIP\\s+10\\.96\\.`, 'm'),
      );
    const endpoints = await eventually(
      'primary endpoints',
      () => w.ok('kubectl get ep -n flagger-demo'),
      out =>
        /^canary-demo-primary\s+10\.244\./m.test(out) &&
        /^canary-demo\s+10\.244\./m.test(out),
    );
    assert.match(endpoints, /^canary-demo-canary\s+<none>/m);
    assert.equal(
      await vsWeights(),
      'canary-demo-primary=100 canary-demo-canary=0 ',
    );
    assert.match(
      await w.ok(
        `kubectl get vs canary-demo -n flagger-demo -o jsonpath='{.spec.gateways}'`,
      ),
      /flagger-demo\/istio-rollout-gateway/,
    );
  });

  it('starts a run after `kubectl set image`, moves the weights, and rolls back by labelling the newest CanaryEvent', async () => {
    const watch = w.background(
      'kubectl get vs canary-demo -n flagger-demo -o yaml --watch',
    );
    await new Promise(resolve => setTimeout(resolve, 500));
    assert.match(
      await w.ok(
        'kubectl set image deploy canary-demo http=quay.io/codefresh/rollouts-demo:red -n flagger-demo',
      ),
      /deployment.apps\/canary-demo image updated/,
    );
    await eventually(
      'canary weight 10',
      vsWeights,
      out => out === 'canary-demo-primary=90 canary-demo-canary=10 ',
    );
    const watched = await watch.stop();
    assert.match(watched, /host: canary-demo-canary\n\s+weight: 5\n/);
    assert.match(watched, /host: canary-demo-canary\n\s+weight: 10\n/);

    const list = await w.ok(
      'kubectl get canaryevents.asm.alauda.io -l asm.cpaas.io/msname=canary-demo -n flagger-demo',
    );
    assert.match(list, /^canary-demo-\d{14}\s+Progressing\s+\d+/m);

    const labelled =
      await w.ok(`kubectl label $(kubectl get canaryevents.asm.alauda.io -n flagger-demo \\
  -l asm.cpaas.io/msname=canary-demo \\
  --sort-by='{.metadata.creationTimestamp}' \\
  -o name | tail -n 1) action=rollback -n flagger-demo`);
    assert.match(
      labelled,
      /^canaryevent.asm.alauda.io\/canary-demo-\d{14} labeled$/m,
    );
    await eventually(
      'Failed',
      () => phase('canary-demo'),
      p => p === 'Failed',
    );
    assert.equal(
      await vsWeights(),
      'canary-demo-primary=100 canary-demo-canary=0 ',
    );
    assert.match(
      await w.ok(
        'kubectl get deployments.apps canary-demo-primary -n flagger-demo -o jsonpath={.spec.template.spec.containers[0].image}',
      ),
      /rollouts-demo:blue$/,
    );
    await eventually(
      'canary scaled down',
      () =>
        w.ok(
          'kubectl get deploy canary-demo -n flagger-demo -o jsonpath={.spec.replicas}',
        ),
      r => r === '0',
    );
    const events = await w.ok(
      'kubectl get events -n flagger-demo --field-selector involvedObject.name=canary-demo',
    );
    assert.match(
      events,
      /New revision detected! Scaling up canary-demo\.flagger-demo/,
    );
    assert.match(events, /Advance canary-demo\.flagger-demo canary weight 10/);
    assert.match(
      events,
      /Rolling back canary-demo\.flagger-demo manual rollback requested/,
    );
    assert.match(
      events,
      /Canary failed! Scaling down canary-demo\.flagger-demo/,
    );
  });

  it('promotes the next revision automatically when its checks pass', async () => {
    const rolledBack = (await newestEvent()).trim();
    await w.ok(
      'kubectl set image deploy canary-demo http=quay.io/codefresh/rollouts-demo:green -n flagger-demo',
    );
    await eventually(
      'a new newest CanaryEvent',
      newestEvent,
      name => name.trim() !== rolledBack && name.trim() !== '',
    );
    await eventually(
      'Succeeded',
      () => phase('canary-demo'),
      p => p === 'Succeeded',
      40_000,
    );
    assert.match(
      await w.ok(
        'kubectl get deployments.apps canary-demo-primary -n flagger-demo -o jsonpath={.spec.template.spec.containers[0].image}',
      ),
      /rollouts-demo:green$/,
    );
    assert.equal(
      await vsWeights(),
      'canary-demo-primary=100 canary-demo-canary=0 ',
    );

    const history = await w.ok(
      'kubectl get canaryevents.asm.alauda.io -l asm.cpaas.io/msname=canary-demo -n flagger-demo',
    );
    assert.equal(history.trim().split('\n').length, 3, history); // header + two runs
    assert.match(history, /Succeeded/);
    assert.match(history, /Failed\s+0\s+rollback/);
    const newest = (await newestEvent()).trim();
    const run = JSON.parse(
      await w.ok(`kubectl get ${newest} -n flagger-demo -o json`),
    );
    assert.equal(run.spec.result, 'Succeeded');
    assert.equal(run.spec.revision, 'quay.io/codefresh/rollouts-demo:green');
    assert.deepEqual(
      run.spec.steps.map((x: any) => x.weight),
      [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 0],
    );
    assert.ok(
      run.spec.checks.every((c: any) => c.passed && c.successRate >= 95),
    );
    const events = await w.ok(
      'kubectl get events -n flagger-demo --field-selector involvedObject.name=canary-demo',
    );
    assert.match(
      events,
      /Copying canary-demo\.flagger-demo template spec to canary-demo-primary\.flagger-demo/,
    );
    assert.match(
      events,
      /Promotion completed! Scaling down canary-demo\.flagger-demo/,
    );
  });

  const primaryImage = () =>
    w.ok(
      'kubectl get deployments.apps canary-demo-primary -n flagger-demo -o jsonpath={.spec.template.spec.containers[0].image}',
    );
  const newestRun = async () =>
    JSON.parse(
      await w.ok(
        `kubectl get ${(await newestEvent()).trim()} -n flagger-demo -o json`,
      ),
    );

  it('rolls an unhealthy version back automatically after `threshold` failed checks', async () => {
    // A 30s interval (a quarter of a real second here) keeps the ten failed checks short.
    await w.ok(
      `kubectl patch canarydelivery canary-demo -n flagger-demo --type merge -p '{"spec":{"analysis":{"interval":"30s"}}}'`,
    );
    const promoted = (await newestEvent()).trim();
    // The README's way to mark a version unhealthy: an image tag containing "bad".
    await w.ok(
      'kubectl set image deploy canary-demo http=quay.io/codefresh/rollouts-demo:bad-red -n flagger-demo',
    );
    await eventually(
      'a new newest CanaryEvent',
      newestEvent,
      name => name.trim() !== promoted && name.trim() !== '',
    );
    await eventually(
      'Failed',
      () => phase('canary-demo'),
      p => p === 'Failed',
      30_000,
    );
    assert.match(await primaryImage(), /rollouts-demo:green$/);
    assert.equal(
      await vsWeights(),
      'canary-demo-primary=100 canary-demo-canary=0 ',
    );
    const run = await newestRun();
    assert.equal(run.spec.phase, 'Failed');
    assert.equal(run.spec.result, 'Failed');
    assert.equal(run.spec.revision, 'quay.io/codefresh/rollouts-demo:bad-red');
    assert.equal(run.metadata.labels.action, undefined);
    assert.equal(run.spec.checks.filter((c: any) => !c.passed).length, 10);
    assert.ok(
      run.spec.checks.every(
        (c: any) => c.successRate < 95 && c.responseTimeMs > 0,
      ),
    );
    assert.equal(
      await w.ok(
        `kubectl get canarydelivery canary-demo -n flagger-demo -o jsonpath='{.status.failedChecks}'`,
      ),
      '10',
    );
    const events = await w.ok(
      'kubectl get events -n flagger-demo --field-selector involvedObject.name=canary-demo',
    );
    assert.match(
      events,
      /Halt canary-demo\.flagger-demo advancement success rate \d+\.\d\d% < 95%/,
    );
    assert.match(
      events,
      /Rolling back canary-demo\.flagger-demo failed checks threshold reached 10/,
    );
  });

  it('holds a `promoteControl: manual` run at maxWeight in WaitingPromotion until labelled action=promote', async () => {
    await w.ok(
      `kubectl patch canarydelivery canary-demo -n flagger-demo --type merge -p '{"spec":{"promoteControl":"manual"}}'`,
    );
    await w.ok(
      'kubectl set image deploy canary-demo http=quay.io/codefresh/rollouts-demo:yellow -n flagger-demo',
    );
    await eventually(
      'WaitingPromotion',
      () => phase('canary-demo'),
      p => p === 'WaitingPromotion',
      30_000,
    );
    assert.equal(
      await vsWeights(),
      'canary-demo-primary=50 canary-demo-canary=50 ',
    );
    // Several intervals later it still waits: no promotion without the label.
    await new Promise(resolve => setTimeout(resolve, 1500));
    assert.equal(await phase('canary-demo'), 'WaitingPromotion');
    assert.match(await primaryImage(), /rollouts-demo:green$/);
    assert.match(
      await w.ok(
        `kubectl get canarydelivery canary-demo -n flagger-demo -o jsonpath='{.status.canaryWeight} {.status.conditions[0].reason}'`,
      ),
      /^50 WaitingPromotion$/,
    );

    const labelled =
      await w.ok(`kubectl label $(kubectl get canaryevents.asm.alauda.io -n flagger-demo \\
  -l asm.cpaas.io/msname=canary-demo \\
  --sort-by='{.metadata.creationTimestamp}' \\
  -o name | tail -n 1) action=promote -n flagger-demo`);
    assert.match(
      labelled,
      /^canaryevent.asm.alauda.io\/canary-demo-\d{14} labeled$/m,
    );
    await eventually(
      'Succeeded',
      () => phase('canary-demo'),
      p => p === 'Succeeded',
      30_000,
    );
    assert.match(await primaryImage(), /rollouts-demo:yellow$/);
    assert.equal(
      await vsWeights(),
      'canary-demo-primary=100 canary-demo-canary=0 ',
    );
    const run = await newestRun();
    assert.equal(run.spec.result, 'Succeeded');
    assert.equal(run.spec.revision, 'quay.io/codefresh/rollouts-demo:yellow');
    assert.equal(run.spec.action.outcome, 'Promoted');
  });

  it('runs the blue-green CanaryDelivery: iterations at weight 0, then all traffic to the new version, then promotion', async () => {
    await w.ok('kubectl apply -f bluegreen-demo.yaml');
    assert.match(
      await w.ok('kubectl apply -f bluegreen-delivery.yaml'),
      /canarydelivery.asm.alauda.io\/bluegreen-demo created/,
    );
    await eventually(
      'Initialized',
      () => phase('bluegreen-demo'),
      p => p === 'Initialized',
    );
    const deployments = await w.ok(
      'kubectl get deployments.apps -n flagger-demo',
    );
    assert.match(deployments, /bluegreen-demo-primary/);
    assert.match(
      await w.ok('kubectl get svc -n flagger-demo'),
      /bluegreen-demo-canary/,
    );
    await w.ok(
      'kubectl set image deploy bluegreen-demo http=quay.io/codefresh/rollouts-demo:green -n flagger-demo',
    );
    const status = (field: string) =>
      w.ok(
        `kubectl get canarydelivery bluegreen-demo -n flagger-demo -o jsonpath='{.status.${field}}'`,
      );
    const canaryWeight = () =>
      w.ok(
        `kubectl get vs bluegreen-demo -n flagger-demo -o jsonpath='{.spec.http[0].route[1].weight}'`,
      );
    // Blue/green without analysis.iterations: 10 iterations (4m each, 2 real seconds at 120x), the canary tested
    // through its -canary Service while the primary keeps all user traffic.
    await eventually(
      'iteration 2',
      () => status('iterations'),
      out => Number(out) >= 2 && Number(out) < 10,
      15_000,
    );
    assert.equal(await canaryWeight(), '0');
    assert.equal(await status('phase'), 'Progressing');
    await eventually(
      'all traffic to the canary after 10 iterations',
      async () => `${await status('iterations')} ${await canaryWeight()}`,
      out => out === '10 100',
      40_000,
    );
    await eventually(
      'Succeeded',
      () => phase('bluegreen-demo'),
      p => p === 'Succeeded',
      30_000,
    );
    assert.equal(await status('iterations'), '10');
    assert.equal(
      await w.ok(
        `kubectl get vs bluegreen-demo -n flagger-demo -o jsonpath='{.spec.http[0].route[0].weight}'`,
      ),
      '100',
    );
    assert.match(
      await w.ok(
        "kubectl get deploy bluegreen-demo-primary -n flagger-demo -o jsonpath='{.spec.template.spec.containers[0].image}'",
      ),
      /rollouts-demo:green$/,
    );
    const messages = (
      await w.ok(
        `kubectl get events -n flagger-demo --field-selector involvedObject.name=bluegreen-demo -o jsonpath='{range .items[*]}{.message}{"\\n"}{end}'`,
      )
    ).split('\n');
    for (let n = 1; n <= 10; n++)
      assert.ok(
        messages.includes(
          `Advance bluegreen-demo.flagger-demo canary iteration ${n}/10`,
        ),
        messages.join('\n'),
      );
    assert.ok(messages.includes('Routing all traffic to canary'));
    assert.ok(
      messages.includes(
        'Promotion completed! Scaling down bluegreen-demo.flagger-demo',
      ),
    );
    assert.match(
      await w.ok(
        'kubectl get canaryevents.asm.alauda.io -l asm.cpaas.io/msname=bluegreen-demo -n flagger-demo',
      ),
      /Succeeded/,
    );
    const checks = JSON.parse(
      await w.ok(
        `kubectl get canaryevents.asm.alauda.io -l asm.cpaas.io/msname=bluegreen-demo -n flagger-demo -o jsonpath='{.items[0].spec.checks}'`,
      ),
    );
    assert.deepEqual(
      checks.map((c: any) => c.iteration ?? `weight ${c.weight}`),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 'weight 100'],
    );
  });
});

describe('chapter 4 — an invalid CanaryDelivery creates nothing', () => {
  let w: Walkthrough;
  before(async () => {
    w = await startWalkthrough('ch4', 120);
    await w.ok('kubectl apply -f prerequisites.yaml');
    await w.ok('kubectl apply -f canary-demo.yaml');
  });
  after(async () => w?.stop());

  /** canary-delivery.yaml with its name, target and analysis replaced. */
  const delivery = (name: string, target: string, analysis: string) =>
    `cat <<'YAML' | kubectl apply -f -
apiVersion: asm.alauda.io/v1alpha1
kind: CanaryDelivery
metadata:
  name: ${name}
  namespace: flagger-demo
spec:
  service:
    gateways:
      - flagger-demo/istio-rollout-gateway
      - mesh
    hosts:
      - ${name}.asm.com
  analysis:
${analysis}
  delivertype: canary
  maxResponseTime: 500
  minSuccessRate: 95
  promoteControl: system
  targetRef:
    name: ${target}
  trafficControl: system
YAML`;
  const condition = (name: string) =>
    w.ok(
      `kubectl get canarydelivery ${name} -n flagger-demo -o jsonpath='{.status.phase} {.status.conditions[0].reason}: {.status.conditions[0].message}'`,
    );
  /** Every object in flagger-demo that Flagger would have created for `name`. */
  const generated = async (name: string) => {
    const out = await w.ok(
      'kubectl get deployments,services,virtualservices -n flagger-demo -o name',
    );
    return out
      .split('\n')
      .filter(
        line =>
          line === `deployment.apps/${name}-primary` ||
          line.startsWith(`service/${name}`) ||
          line.startsWith(`virtualservice.networking.istio.io/${name}`),
      );
  };

  it('rejects a threshold below 1 (CRD schema)', async () => {
    const result = await w.sh(
      delivery(
        'low-threshold',
        'canary-demo',
        '    interval: 2m\n    maxWeight: 50\n    stepWeight: 5\n    threshold: 0',
      ),
    );
    assert.notEqual(result.code, 0, result.stdout);
    assert.match(
      result.stderr,
      /spec\.analysis\.threshold: Invalid value: 0: spec\.analysis\.threshold in body should be greater than or equal to 1/,
    );
    const get = await w.sh(
      'kubectl get canarydelivery low-threshold -n flagger-demo',
    );
    assert.match(get.stderr, /NotFound|not found/);
  });

  it('marks stepWeight above maxWeight Failed with a condition that says why', async () => {
    assert.match(
      await w.ok(
        delivery(
          'steep',
          'canary-demo',
          '    interval: 2m\n    maxWeight: 50\n    stepWeight: 60\n    threshold: 10',
        ),
      ),
      /canarydelivery.asm.alauda.io\/steep created/,
    );
    const status = await eventually(
      'Failed',
      () => condition('steep'),
      out => out.startsWith('Failed'),
    );
    assert.equal(
      status,
      'Failed InvalidSpec: Invalid CanaryDelivery: spec.analysis.stepWeight (60) is above spec.analysis.maxWeight (50)',
    );
    assert.deepEqual(await generated('canary-demo'), ['service/canary-demo']);
    assert.equal(
      await w.ok(
        'kubectl get deploy canary-demo -n flagger-demo -o jsonpath={.spec.replicas}',
      ),
      '2',
    );
    assert.match(
      await w.ok(
        'kubectl get events -n flagger-demo --field-selector involvedObject.name=steep',
      ),
      /stepWeight \(60\) is above spec\.analysis\.maxWeight \(50\)/,
    );
    await w.ok('kubectl delete canarydelivery steep -n flagger-demo');
  });

  it('marks a CanaryDelivery whose target Deployment is missing Failed, naming the Deployment', async () => {
    await w.ok(
      delivery(
        'orphan',
        'no-such-app',
        '    interval: 2m\n    maxWeight: 50\n    stepWeight: 5\n    threshold: 10',
      ),
    );
    const status = await eventually(
      'Failed',
      () => condition('orphan'),
      out => out.startsWith('Failed'),
    );
    assert.equal(
      status,
      'Failed TargetNotFound: target Deployment no-such-app.flagger-demo not found: deployments.apps "no-such-app" not found',
    );
    assert.deepEqual(await generated('no-such-app'), []);
    assert.deepEqual(await generated('orphan'), []);
  });
});
