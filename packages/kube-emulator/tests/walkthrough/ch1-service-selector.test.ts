import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Walkthrough, eventually, startWalkthrough } from './harness';

// Chapter 1: blue-green by switching the Service selector (namespace default, as in the document).
describe('chapter 1 — blue-green with a Kubernetes Service selector', () => {
  let w: Walkthrough;
  before(async () => {
    w = await startWalkthrough('ch1', 60);
  });
  after(async () => w?.stop());

  const podIps = async (selector: string) =>
    (
      await w.ok(
        `kubectl get pods -l ${selector} -o jsonpath='{.items[*].status.podIP}'`,
      )
    )
      .split(/\s+/)
      .filter(Boolean)
      .sort();
  const endpointIps = (line: string) =>
    [...line.matchAll(/(\d+\.\d+\.\d+\.\d+):80/g)].map(m => m[1]).sort();

  it('deploys blue: 3 Running pods and the web Service points at them', async () => {
    assert.match(
      await w.ok('kubectl apply -f blue-deployment.yaml'),
      /deployment.apps\/blue created/,
    );
    assert.match(
      await w.ok('kubectl apply -f web-service.yaml'),
      /service\/web created/,
    );
    const pods = await eventually(
      '3 Running blue pods',
      () => w.ok('kubectl get pods -l app=web,version=blue'),
      out => (out.match(/\s1\/1\s+Running\s/g) ?? []).length === 3,
    );
    assert.match(
      pods.split('\n')[0],
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/,
    );
    assert.match(
      await w.ok(
        'kubectl rollout status deployment/blue --timeout=60s',
        70_000,
      ),
      /deployment "blue" successfully rolled out/,
    );

    const blue = await podIps('app=web,version=blue');
    assert.equal(blue.length, 3);
    const line = await eventually(
      'blue endpoints',
      () => w.ok('kubectl describe service web | grep Endpoints'),
      out => endpointIps(out).length === 3,
    );
    assert.deepEqual(endpointIps(line), blue);
  });

  it('deploys green next to blue, switches the selector, and the endpoints become the green pods', async () => {
    assert.match(
      await w.ok('kubectl apply -f green-deployment.yaml'),
      /deployment.apps\/green created/,
    );
    await eventually(
      '3 Running green pods',
      () => w.ok('kubectl get pods -l app=web,version=green'),
      out => (out.match(/\s1\/1\s+Running\s/g) ?? []).length === 3,
    );
    assert.match(
      await w.ok(
        `kubectl patch service web -p '{"spec":{"selector":{"version":"green"}}}'`,
      ),
      /service\/web patched/,
    );
    const green = await podIps('app=web,version=green');
    const line = await eventually(
      'green endpoints',
      () => w.ok('kubectl describe service web | grep Endpoints'),
      out => JSON.stringify(endpointIps(out)) === JSON.stringify(green),
    );
    assert.deepEqual(endpointIps(line), green);
    assert.notDeepEqual(green, await podIps('app=web,version=blue'));

    const traffic = w.emulator
      .controllers!.traffic()
      .filter(t => t.host === 'web' && t.weight > 0);
    assert.deepEqual(
      traffic.map(t => t.version),
      ['green'],
    );
  });

  it("shows the controllers' events for kubectl describe and --field-selector", async () => {
    const events = await w.ok(
      'kubectl get events --field-selector involvedObject.name=blue',
    );
    assert.match(
      events,
      /ScalingReplicaSet\s+deployment\/blue\s+Scaled up replica set blue-[a-z0-9]+ to 3 from 0/,
    );
    const described = await w.ok('kubectl describe deployment blue');
    assert.match(
      described,
      /Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable/,
    );
    assert.match(described, /Progressing\s+True\s+NewReplicaSetAvailable/);
  });
});
