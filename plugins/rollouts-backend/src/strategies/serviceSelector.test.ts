import { waitForDeployments } from '../__testUtils__/backend';
import {
  componentRollout,
  expectNewestFirst,
  useDemoCluster,
  waitFor,
} from '../__testUtils__/strategyHarness';

const NS = 'service-selector';
const deployments = { group: 'apps', resource: 'deployments' };
const services = { group: '', resource: 'services' };
const endpoints = { group: '', resource: 'endpoints' };

describe('service-selector', () => {
  const demo = useDemoCluster({ readyNamespaces: [NS, 'payments'] });
  const web = componentRollout(demo, 'web-service-selector');
  // Owned by team-payments: the permission mock denies reading it.
  const payments = componentRollout(demo, 'payments-web');

  const selectVersion = (version: string) =>
    demo.emu.store.modify(services, NS, 'web', svc => {
      svc.spec.selector.version = version;
    });

  it('shows the Service selecting blue, both versions and their pods', async () => {
    const view = await web.view();
    expect(view).toMatchObject({
      cluster: 'embedded',
      namespace: NS,
      strategy: 'service-selector',
      mode: 'blue-green',
      phase: 'Stable',
      message: 'Service web sends all traffic to version blue',
      target: { kind: 'Service', name: 'web', namespace: NS },
      traffic: {
        selector: { app: 'web', version: 'blue' },
        routedBy: { kind: 'Service', name: 'web', namespace: NS },
        weights: [
          { version: 'blue', role: 'stable', weight: 100 },
          { version: 'green', role: 'canary', weight: 0 },
        ],
      },
      gitOps: [],
    });
    expect(view).not.toHaveProperty('actions');
    const [blue, green] = view.versions;
    expect(blue).toMatchObject({
      name: 'blue',
      workload: { kind: 'Deployment', name: 'blue' },
      images: ['hello:1.23.1'],
      replicas: { desired: 3, ready: 3, available: 3 },
    });
    expect(blue.pods).toHaveLength(3);
    expect(blue.pods.every((p: { ready: boolean }) => p.ready)).toBe(true);
    expect(green).toMatchObject({ name: 'green', images: ['hello:1.23.2'] });
    expect(view.revision).toMatch(/^svc\/web@\d+$/);
    expect(Date.parse(view.observedAt)).not.toBeNaN();
  });

  it('follows a switch of the selector made in the cluster, and reads without writing', async () => {
    const before = await web.view();
    demo.emu.counters.reset();
    selectVersion('green');
    try {
      let view: any;
      await waitFor('Endpoints switched to green', async () => {
        view = await web.view();
        return view.phase === 'Stable';
      });
      expect(view.traffic.weights).toEqual([
        { version: 'green', role: 'stable', weight: 100 },
        { version: 'blue', role: 'canary', weight: 0 },
      ]);
      expect(view.phase).toBe('Stable');
      expect(view.revision).not.toBe(before.revision);
      const verbs = demo.emu.counters.snapshot().byVerb;
      expect(verbs.get).toBeGreaterThan(0);
      expect(
        (verbs.patch ?? 0) + (verbs.create ?? 0) + (verbs.update ?? 0),
      ).toBe(0);
    } finally {
      selectVersion('blue');
    }
  });

  it('is Failed when the selected version has no Deployment', async () => {
    selectVersion('purple');
    try {
      const view = await web.view();
      expect(view.phase).toBe('Failed');
      expect(view.message).toBe(
        'Service web selects version purple, but no Deployment has pods with version=purple',
      );
      expect(view.versions[0]).toMatchObject({
        name: 'purple',
        weight: 100,
        workload: { name: '' },
        pods: [],
      });
    } finally {
      selectVersion('blue');
    }
  });

  it('is Failed while the selected version has no ready pod', async () => {
    demo.emu.store.modify(deployments, NS, 'blue', d => {
      d.spec.replicas = 0;
    });
    try {
      let view: any;
      await waitFor('blue without ready pods', async () => {
        view = await web.view();
        return view.versions[0].replicas.ready === 0;
      });
      expect(view.phase).toBe('Failed');
      expect(view.message).toBe(
        'Service web sends all traffic to version blue, which has no ready pod (0/0 ready)',
      );
    } finally {
      demo.emu.store.modify(deployments, NS, 'blue', d => {
        d.spec.replicas = 3;
      });
      await waitForDeployments(demo.emu, [NS]);
    }
    await waitFor(
      'Stable again',
      async () => (await web.view()).phase === 'Stable',
    );
  });

  it('is Progressing while the Endpoints do not list the selected version yet', async () => {
    await waitFor('Stable', async () => (await web.view()).phase === 'Stable');
    // As right after a selector switch, before the endpoints controller has caught up
    demo.emu.store.modify(endpoints, NS, 'web', ep => {
      ep.subsets = [];
    });
    try {
      const view = await web.view();
      expect(view.phase).toBe('Progressing');
      expect(view.message).toBe(
        'Service web selects version blue, but its Endpoints list 0 of its 3 ready pods and 0 other addresses',
      );
    } finally {
      // The endpoints controller recreates a deleted Endpoints object from the Service
      demo.emu.store.delete(endpoints, NS, 'web');
    }
    await waitFor(
      'Endpoints listing blue again',
      async () => (await web.view()).phase === 'Stable',
    );
  });

  it('denies reading an entity without rollouts.rollout.read', async () => {
    for (const res of [await payments.get(), await payments.events()]) {
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'user:default/mock may not rollouts.rollout.read on component:default/payments-web',
      );
    }
    const [request] = demo.backend.permissions.authorize.mock.calls.at(-1)!;
    expect(request).toEqual([
      {
        permission: expect.objectContaining({ name: 'rollouts.rollout.read' }),
        resourceRef: 'component:default/payments-web',
      },
    ]);
  });

  it('warns when Flux manages the Service', async () => {
    demo.emu.store.modify(services, NS, 'web', svc => {
      svc.metadata.labels = {
        ...svc.metadata.labels,
        'kustomize.toolkit.fluxcd.io/name': 'apps',
      };
    });
    const view = await web.view();
    expect(view.gitOps).toEqual([
      {
        tool: 'Flux',
        object: { kind: 'Service', name: 'web', namespace: NS },
        message: expect.stringMatching(
          /^Service web is managed by Flux \(kustomize\.toolkit\.fluxcd\.io\/name\)/,
        ),
      },
    ]);
  });

  it('takes app.kubernetes.io/instance for Argo CD tracking, unless Helm manages the object', async () => {
    const label = (labels: Record<string, string>) =>
      demo.emu.store.modify(services, NS, 'web', svc => {
        svc.metadata.labels = { app: 'web', ...labels };
      });
    try {
      label({ 'app.kubernetes.io/instance': 'web' });
      expect((await web.view()).gitOps).toEqual([
        expect.objectContaining({
          tool: 'Argo CD',
          object: { kind: 'Service', name: 'web', namespace: NS },
        }),
      ]);
      label({
        'app.kubernetes.io/instance': 'web',
        'app.kubernetes.io/managed-by': 'Helm',
      });
      expect((await web.view()).gitOps).toEqual([]);
    } finally {
      label({});
    }
  });

  it('lists the Kubernetes Events of the Service and its Deployments newest first, with a cursor', async () => {
    const all = await web.events({ limit: 100 });
    expect(all.status).toBe(200);
    expect(all.body.cluster).toBe('embedded');
    const events: any[] = all.body.events;
    expect(events.length).toBeGreaterThan(2);
    for (const e of events) {
      expect(e.kind).toBe('kubernetes-event');
      expect(e.involvedObject.name).toMatch(/^(web|blue|green)(-|$)/);
    }
    expectNewestFirst(events);

    const first = await web.events({ limit: 2 });
    expect(first.body.events).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await web.events({
      limit: 2,
      cursor: first.body.nextCursor,
    });
    expect(second.status).toBe(200);
    expect(second.body.events).toHaveLength(2);
    // The next page continues after the first one: older entries, none repeated.
    expectNewestFirst([...first.body.events, ...second.body.events]);
    const ids = [...first.body.events, ...second.body.events].map(e => e.id);
    expect(new Set(ids).size).toBe(4);
  });
});
