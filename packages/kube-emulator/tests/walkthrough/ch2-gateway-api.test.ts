import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Walkthrough, eventually, startWalkthrough } from './harness';

// Chapter 2: Gateway API (ALB) — a Gateway with an address and an HTTPRoute whose backend weights move traffic.
describe('chapter 2 — blue-green and canary with Gateway API HTTPRoute weights', () => {
  let w: Walkthrough;
  before(async () => {
    w = await startWalkthrough('ch2', 60);
  });
  after(async () => w?.stop());

  const weights = () =>
    w.ok(
      `kubectl get httproute web -o jsonpath='{range .spec.rules[0].backendRefs[*]}{.name}={.weight} {end}'`,
    );
  const traffic = () =>
    Object.fromEntries(
      w.emulator
        .controllers!.traffic()
        .filter(t => t.host === 'example.com')
        .map(t => [t.version, t.weight]),
    );

  it('deploys the stable version, the Gateway (with its address) and the HTTPRoute', async () => {
    assert.match(
      await w.ok('kubectl apply -f web-stable-deployment.yaml'),
      /deployment.apps\/web-stable created/,
    );
    assert.match(
      await w.ok('kubectl apply -f web-stable-service.yaml'),
      /service\/web-stable created/,
    );
    assert.match(
      await w.ok('kubectl apply -f gateway.yaml'),
      /gateway.gateway.networking.k8s.io\/default created/,
    );
    const address = await eventually(
      'Gateway address',
      () =>
        w.ok(
          `kubectl get gateway default -o jsonpath='{.status.addresses[0].type} {.status.addresses[0].value}'`,
        ),
      out => out.startsWith('IPAddress '),
    );
    assert.equal(address, 'IPAddress 192.168.134.30');
    const yaml = await w.ok('kubectl get gateway default -o yaml');
    assert.match(
      yaml,
      /status:\n\s+addresses:\n\s+- type: IPAddress\n\s+value: 192\.168\.134\.30/,
    );

    assert.match(
      await w.ok('kubectl apply -f httproute.yaml'),
      /httproute.gateway.networking.k8s.io\/web created/,
    );
    await eventually(
      'route accepted',
      () =>
        w.ok(
          `kubectl get httproute web -o jsonpath='{.status.parents[0].conditions[?(@.type=="Accepted")].status}'`,
        ),
      out => out === 'True',
    );
    assert.equal(await weights(), 'web-stable=100 ');
    await eventually(
      'stable pods ready',
      () =>
        w.ok(
          'kubectl get deploy web-stable -o jsonpath={.status.readyReplicas}',
        ),
      out => out === '2',
    );
    await eventually(
      'all traffic on stable',
      async () => traffic(),
      t => t['web-stable'] === 100,
    );
  });

  it('adds the canary with weight 0, then moves all traffic to it', async () => {
    assert.match(
      await w.ok('kubectl apply -f web-canary-deployment.yaml'),
      /deployment.apps\/web-canary created/,
    );
    assert.match(
      await w.ok('kubectl apply -f web-canary-service.yaml'),
      /service\/web-canary created/,
    );
    w.use('httproute-step2.yaml', 'httproute.yaml');
    assert.match(
      await w.ok('kubectl apply -f httproute.yaml'),
      /httproute.gateway.networking.k8s.io\/web configured/,
    );
    assert.equal(await weights(), 'web-canary=0 web-stable=100 ');
    await eventually(
      'canary ready',
      () =>
        w.ok(
          'kubectl get deploy web-canary -o jsonpath={.status.readyReplicas}',
        ),
      out => out === '2',
    );
    assert.equal(traffic()['web-stable'], 100);
    assert.ok(!traffic()['web-canary']);

    w.use('httproute-step3.yaml', 'httproute.yaml');
    assert.match(
      await w.ok('kubectl apply -f httproute.yaml'),
      /httproute.gateway.networking.k8s.io\/web configured/,
    );
    assert.equal(await weights(), 'web-canary=100 web-stable=0 ');
    await eventually(
      'all traffic on canary',
      async () => traffic(),
      t => t['web-canary'] === 100 && !t['web-stable'],
    );
    const resolved = await w.ok(
      `kubectl get httproute web -o jsonpath='{.status.parents[0].conditions[?(@.type=="ResolvedRefs")].status}'`,
    );
    assert.equal(resolved, 'True');
  });
});
