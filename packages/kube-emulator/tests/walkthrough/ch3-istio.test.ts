import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Walkthrough, eventually, startWalkthrough } from './harness';

// Chapter 3: Istio Gateway + VirtualService weights (blue-green, then a 90/10 canary).
describe('chapter 3 — blue-green and canary with Istio VirtualService weights', () => {
  let w: Walkthrough;
  before(async () => {
    w = await startWalkthrough('ch3', 60);
  });
  after(async () => w?.stop());

  const weights = () =>
    w.ok(
      `kubectl get vs web -o jsonpath='{range .spec.http[0].route[*]}{.destination.host}={.weight} {end}'`,
    );
  const traffic = () =>
    Object.fromEntries(
      w.emulator
        .controllers!.traffic()
        .filter(t => t.host === 'rollout-demo.asm.com' && t.weight > 0)
        .map(t => [t.version, t.weight]),
    );

  it('deploys the stable version behind the Istio Gateway and VirtualService', async () => {
    for (const file of [
      'web-stable-deployment.yaml',
      'web-stable-service.yaml',
      'istio-gateway.yaml',
    ])
      await w.ok(`kubectl apply -f ${file}`);
    // The document assumes Alauda Service Mesh is installed, i.e. that istio-system exists.
    await w.ok('kubectl apply -f istio-system-namespace.yaml');
    assert.match(
      await w.ok('kubectl apply -f ingressgateway-service.yaml'),
      /service\/rollout-ingressgateway created/,
    );
    const external = await eventually(
      'LoadBalancer IP',
      () =>
        w.ok(
          `kubectl get svc rollout-ingressgateway -n istio-system -o jsonpath='{.status.loadBalancer.ingress[0].ip}'`,
        ),
      out => out !== '',
    );
    assert.match(external, /^192\.168\.134\.\d+$/);
    w.use('virtual-service-initial.yaml', 'virtual-service.yaml');
    assert.match(
      await w.ok('kubectl apply -f virtual-service.yaml'),
      /virtualservice.networking.istio.io\/web created/,
    );
    assert.equal(await weights(), 'web-stable=100 ');
    await eventually(
      'stable serves all traffic',
      async () => traffic(),
      t => t['web-stable'] === 100,
    );
  });

  it('adds the preview version and switches all traffic to it (blue-green)', async () => {
    assert.match(
      await w.ok('kubectl apply -f preview-deployment.yaml'),
      /deployment.apps\/web-preview created/,
    );
    assert.match(
      await w.ok('kubectl apply -f web-preview-service.yaml'),
      /service\/web-preview created/,
    );
    await eventually(
      'preview ready',
      () =>
        w.ok(
          'kubectl get deploy web-preview -o jsonpath={.status.readyReplicas}',
        ),
      out => out === '2',
    );
    w.use('virtual-service.yaml', 'virtual-service.yaml');
    assert.match(
      await w.ok('kubectl apply -f virtual-service.yaml'),
      /virtualservice.networking.istio.io\/web configured/,
    );
    assert.equal(await weights(), 'web-stable=0 web-preview=100 ');
    assert.equal(
      await w.ok(
        `kubectl get vs web -o jsonpath='{.spec.tcp[0].route[1].weight}'`,
      ),
      '100',
    );
    await eventually(
      'preview serves all traffic',
      async () => traffic(),
      t => t['web-preview'] === 100 && !t['web-stable'],
    );
  });

  it('splits 90/10 for a canary', async () => {
    w.use('virtual-service-canary-90-10.yaml', 'virtual-service.yaml');
    await w.ok('kubectl apply -f virtual-service.yaml');
    assert.equal(await weights(), 'web-stable=90 web-preview=10 ');
    const t = await eventually(
      '90/10',
      async () => traffic(),
      x => x['web-stable'] === 90,
    );
    assert.equal(t['web-preview'], 10);
  });
});
