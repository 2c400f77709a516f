import { waitForDeployments } from '../__testUtils__/backend';
import {
  componentRollout,
  customObject,
  expectNewestFirst,
  useDemoCluster,
  waitFor,
} from '../__testUtils__/strategyHarness';

const NS = 'gateway-api';
const HTTPROUTES = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  plural: 'httproutes',
};
const deployments = { group: 'apps', resource: 'deployments' };

describe('gateway-api', () => {
  const demo = useDemoCluster({ readyNamespaces: [NS] });
  const web = componentRollout(demo, 'web-gateway-api');
  const webBlueGreen = componentRollout(demo, 'web-gateway-api-bluegreen');

  const route = customObject(demo, HTTPROUTES, NS, 'web');
  const ref = (name: string, weight?: number) => ({
    name,
    port: 80,
    ...(weight === undefined ? {} : { weight }),
  });
  /** Replaces the HTTPRoute's rules, as a person or a controller would in the cluster. */
  const setRules = (...rules: ReturnType<typeof ref>[][]) =>
    route.modify(r => {
      r.spec.rules = rules.map(backendRefs => ({ backendRefs }));
    });
  let demoRules: unknown;
  beforeAll(async () => {
    demoRules = (await route.read()).spec.rules;
  });
  afterEach(() =>
    route.modify(r => {
      r.spec.rules = structuredClone(demoRules);
    }),
  );

  it('shows the HTTPRoute split, the stable and canary Services and their Deployments', async () => {
    const view = await web.view();
    expect(view).toMatchObject({
      strategy: 'gateway-api',
      mode: 'canary',
      phase: 'Stable',
      message: 'all traffic goes to the stable version web-stable',
      target: { kind: 'HTTPRoute', name: 'web', namespace: NS },
      traffic: {
        weights: [
          { version: 'web-stable', role: 'stable', weight: 100 },
          { version: 'web-canary', role: 'canary', weight: 0 },
        ],
        routedBy: { kind: 'HTTPRoute', name: 'web', namespace: NS },
        rulesDiffer: false,
      },
    });
    expect(view).not.toHaveProperty('actions');
    expect(view.versions[0]).toMatchObject({
      workload: { name: 'web-stable' },
      images: ['hello:1.23.1'],
      replicas: { desired: 2, ready: 2 },
    });
    expect(view.versions[1].workload.name).toBe('web-canary');
    const { metadata } = await route.read();
    expect(view.revision).toBe(`httproute/web@${metadata.resourceVersion}`);
  });

  it('shows a split as Progressing and all traffic on the canary as Promoted', async () => {
    setRules([ref('web-canary', 30), ref('web-stable', 70)]);
    const split = await web.view();
    expect(split.phase).toBe('Progressing');
    expect(split.message).toBe(
      'traffic is split: 30% to the canary version web-canary',
    );
    expect(split.traffic.weights.map((w: any) => w.weight)).toEqual([70, 30]);

    // Weights are relative: 1 and 3 are 25% and 75%.
    setRules([ref('web-canary', 1), ref('web-stable', 3)]);
    expect((await web.view()).traffic.weights[1].weight).toBe(25);

    setRules([ref('web-canary', 100), ref('web-stable', 0)]);
    const promoted = await web.view();
    expect(promoted).toMatchObject({
      phase: 'Promoted',
      message: 'all traffic goes to the canary version web-canary',
    });
    expect(promoted.revision).not.toBe(split.revision);
  });

  it('shows the mode of the entity: blue-green', async () => {
    expect(await webBlueGreen.view()).toMatchObject({
      mode: 'blue-green',
      phase: 'Stable',
    });
  });

  it('is Failed when the version that gets traffic has no ready pod', async () => {
    demo.emu.store.modify(deployments, NS, 'web-canary', d => {
      d.spec.replicas = 0;
    });
    try {
      setRules([ref('web-canary', 40), ref('web-stable', 60)]);
      await waitFor(
        'web-canary without ready pods',
        async () => (await web.view()).versions[1].replicas.ready === 0,
      );
      expect(await web.view()).toMatchObject({
        phase: 'Failed',
        message: 'web-canary gets 40% of the traffic but has no ready pod',
      });
    } finally {
      demo.emu.store.modify(deployments, NS, 'web-canary', d => {
        d.spec.replicas = 2;
      });
      await waitForDeployments(demo.emu, [NS]);
    }
  });

  it('is Failed when a version without traffic should run pods but none is ready, not when it is scaled to zero', async () => {
    setRules([ref('web-canary', 0), ref('web-stable', 100)]);
    demo.emu.store.modify(deployments, NS, 'web-canary', d => {
      d.spec.replicas = 0;
    });
    try {
      await waitFor(
        'web-canary scaled to zero',
        async () => (await web.view()).versions[1].replicas.desired === 0,
      );
      expect((await web.view()).phase).toBe('Stable');
      demo.emu.store.modify(deployments, NS, 'web-canary', d => {
        d.spec.replicas = 2;
        d.spec.template.metadata.annotations = {
          'kube-emulator.io/not-ready': 'true',
        };
      });
      await waitFor(
        'web-canary with pods that never get ready',
        async () => (await web.view()).versions[1].replicas.desired === 2,
      );
      expect(await web.view()).toMatchObject({
        phase: 'Failed',
        message: 'web-canary has no ready pod (0/2 ready)',
      });
    } finally {
      demo.emu.store.modify(deployments, NS, 'web-canary', d => {
        d.spec.replicas = 2;
        delete d.spec.template.metadata.annotations;
      });
      await waitForDeployments(demo.emu, [NS]);
    }
  });

  it('says when the rules split the traffic differently', async () => {
    setRules(
      [ref('web-canary', 0), ref('web-stable', 100)],
      [ref('web-stable', 0), ref('web-canary', 100)],
    );
    const view = await web.view();
    expect(view.traffic.rulesDiffer).toBe(true);
    expect(view.message).toBe(
      'all traffic goes to the stable version web-stable (the rules of HTTPRoute gateway-api/web have different weights: 0, 100% canary)',
    );
  });

  it.each([
    [
      'three backends',
      [[ref('web-canary', 10), ref('web-stable', 80), ref('web-old', 10)]],
      'HTTPRoute gateway-api/web has 3 backends (web-canary, web-stable, web-old) — Kube Rollouts shows traffic split between exactly two (stable and canary)',
    ],
    [
      'names that do not tell which is stable',
      [[ref('web-blue', 50), ref('web-green', 50)]],
      'cannot tell which backend of HTTPRoute gateway-api/web serves the stable version (web-blue, web-green): add annotation kube-rollouts.io/stable (or kube-rollouts.io/canary) naming it',
    ],
  ])('a route with %s is a 400 naming it', async (_, rules, message) => {
    setRules(...rules);
    const res = await web.get();
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(message);
  });

  it('warns when Argo CD tracks the HTTPRoute', async () => {
    route.modify(r => {
      r.metadata.labels = {
        ...r.metadata.labels,
        'app.kubernetes.io/instance': 'web-prod',
      };
    });
    const view = await web.view();
    expect(view.gitOps).toEqual([
      {
        tool: 'Argo CD',
        object: { kind: 'HTTPRoute', name: 'web', namespace: NS },
        message: expect.stringMatching(
          /^HTTPRoute web is tracked by Argo CD \(app\.kubernetes\.io\/instance\)/,
        ),
      },
    ]);
  });

  it('lists the Kubernetes Events of the route, Services and Deployments', async () => {
    const res = await web.events({ limit: 100 });
    expect(res.status).toBe(200);
    const events: any[] = res.body.events;
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.kind).toBe('kubernetes-event');
      expect(e.involvedObject.name).toMatch(
        /^(web|web-stable|web-canary)(-|$)/,
      );
    }
    expectNewestFirst(events);
  });
});
