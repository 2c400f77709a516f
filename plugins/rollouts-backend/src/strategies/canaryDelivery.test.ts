import { KubeClient, KubeObject, RESOURCES } from '../kubernetes';
import {
  CanaryDeliveryStrategy,
  flaggerPhaseToPhase,
  runEvent,
} from './canaryDelivery';
import {
  componentRollout,
  expectNewestFirst,
  useDemoCluster,
  waitFor,
} from '../__testUtils__/strategyHarness';

const NS = 'flagger-demo';
const deployments = { group: 'apps', resource: 'deployments' };
const canaryDeliveries = {
  group: 'asm.alauda.io',
  resource: 'canarydeliveries',
};
const canaryEvents = { group: 'asm.alauda.io', resource: 'canaryevents' };

jest.setTimeout(40_000);

describe('canary-delivery', () => {
  const demo = useDemoCluster({
    // Slow enough that a run (10 checks of 30 simulated seconds) outlasts the assertions.
    timeScale: 10,
    prepare: emu =>
      // Runs end only by what the tests do, not by the emulator's own release.
      emu.store.modify(canaryDeliveries, NS, 'canary-demo', cd => {
        delete cd.metadata.annotations?.['kube-emulator.io/auto-release-after'];
      }),
  });
  const canary = componentRollout(demo, 'canary-demo');
  const blueGreen = componentRollout(demo, 'bluegreen-demo');

  const phase = () =>
    demo.emu.store.get(canaryDeliveries, NS, 'canary-demo')?.status?.phase;

  beforeAll(async () => {
    await waitFor('the demo run to progress', () => phase() === 'Progressing');
  });

  it('shows the run in progress: versions, traffic and analysis', async () => {
    await waitFor('the first check', async () => {
      const res = await canary.get();
      return res.body.rollouts?.[0]?.analysis?.lastSuccessRate !== undefined;
    });
    const view = await canary.view();
    expect(view).toMatchObject({
      strategy: 'canary-delivery',
      mode: 'canary',
      phase: 'Progressing',
      target: { kind: 'CanaryDelivery', name: 'canary-demo', namespace: NS },
      traffic: { routedBy: { kind: 'VirtualService', name: 'canary-demo' } },
      analysis: {
        interval: '30s',
        intervalSeconds: 30,
        stepWeight: 5,
        maxWeight: 50,
        threshold: 10,
        minSuccessRate: 95,
        maxResponseTimeMs: 500,
        flaggerPhase: 'Progressing',
      },
    });
    expect(view).not.toHaveProperty('actions');
    expect(view.analysis.lastSuccessRate).toBeGreaterThan(95);
    expect(Date.parse(view.analysis.nextCheckAt)).not.toBeNaN();
    expect(
      view.versions.map((v: any) => `${v.role}:${v.workload.name}`),
    ).toEqual(['stable:canary-demo-primary', 'canary:canary-demo']);
    expect(view.versions[1].images).toEqual([
      'quay.io/codefresh/rollouts-demo:yellow',
    ]);
    expect(view.versions[0].weight + view.versions[1].weight).toBe(100);
    expect(view.revision).toMatch(
      /^canarydelivery\/canary-demo@\d+,canaryevent\/canary-demo-\d+@\d+$/,
    );
  });

  it('an idle blue-green CanaryDelivery whose last run succeeded is Stable', async () => {
    const view = await blueGreen.view();
    expect(view).toMatchObject({
      mode: 'blue-green',
      phase: 'Stable',
      analysis: { flaggerPhase: 'Succeeded' },
    });
    expect(view.analysis.nextCheckAt).toBeUndefined();
  });

  it('shows a run rolled back in the cluster (action=rollback on its CanaryEvent) as RolledBack', async () => {
    const newest = demo.emu.store
      .list(canaryEvents, { namespace: NS })
      .filter(e => e.metadata.labels?.['asm.cpaas.io/msname'] === 'canary-demo')
      .sort((a, b) =>
        String(b.metadata.creationTimestamp).localeCompare(
          String(a.metadata.creationTimestamp),
        ),
      )[0];
    // What a person does with kubectl label; the plugin itself never writes.
    demo.emu.store.modify(canaryEvents, NS, newest.metadata.name, e => {
      e.metadata.labels = { ...e.metadata.labels, action: 'rollback' };
    });
    await waitFor('the rollback', () => phase() === 'Failed');
    const view = await canary.view();
    expect(view.phase).toBe('RolledBack');
    expect(view.analysis.flaggerPhase).toBe('Failed');
  });

  it('lists runs newest first with their steps and checks, paginated', async () => {
    const all = await canary.events({ limit: 100 });
    expect(all.status).toBe(200);
    const events: any[] = all.body.events;
    expect(events.every(e => e.kind === 'run')).toBe(true);
    // three past runs of the demo and the load-time run
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(events[0]).toMatchObject({
      type: 'RolledBack',
      involvedObject: { kind: 'CanaryEvent' },
    });
    const failed = events.find(r => r.type === 'Failed');
    expect(failed.run.checks.some((c: any) => c.passed === false)).toBe(true);
    expect(failed.run.steps[0]).toMatchObject({ weight: 5 });
    expect(failed.run.revision).toMatch(/^quay\.io\/codefresh\/rollouts-demo:/);
    expect(
      failed.run.checks.every((c: any) => typeof c.responseTimeMs === 'number'),
    ).toBe(true);
    expectNewestFirst(events);

    const first = await canary.events({ limit: 2 });
    const second = await canary.events({
      limit: 2,
      cursor: first.body.nextCursor,
    });
    expect([...first.body.events, ...second.body.events]).toEqual(
      events.slice(0, 4),
    );
  });

  it('follows a new release: a new run starts and is Progressing', async () => {
    await waitFor(
      'the CanaryDelivery to settle',
      () => ['Failed', 'Succeeded'].includes(phase()),
      30_000,
    );
    demo.emu.store.modify(deployments, NS, 'canary-demo', d => {
      d.spec.template.spec.containers[0].image =
        'quay.io/codefresh/rollouts-demo:green';
    });
    await waitFor('a new run', async () => {
      const view = (await canary.get()).body.rollouts?.[0];
      return view?.phase === 'Progressing';
    });
    const view = await canary.view();
    expect(view.versions[1].images).toEqual([
      'quay.io/codefresh/rollouts-demo:green',
    ]);
    const { events } = (await canary.events({ limit: 1 })).body;
    expect(events[0]).toMatchObject({ kind: 'run', type: 'Progressing' });
  });
});

describe('canary-delivery CanaryEvents', () => {
  const bare: KubeObject = {
    apiVersion: 'asm.alauda.io/v1alpha1',
    kind: 'CanaryEvent',
    metadata: {
      name: 'canary-demo-20260101000000',
      namespace: NS,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { 'asm.cpaas.io/msname': 'canary-demo' },
    },
  };

  it('reads a bare CanaryEvent (no spec at all, as real ASM events may be)', () => {
    expect(runEvent(bare)).toEqual({
      id: 'canary-demo-20260101000000',
      time: '2026-01-01T00:00:00.000Z',
      kind: 'run',
      type: 'Unknown',
      message: '',
      involvedObject: { kind: 'CanaryEvent', name: bare.metadata.name },
      run: { steps: [], checks: [] },
    });
    const labelled = {
      ...bare,
      metadata: { ...bare.metadata, labels: { action: 'rollback' } },
      spec: { phase: 'Failed', checks: [{}], steps: 'not a list' },
    };
    expect(runEvent(labelled)).toMatchObject({
      type: 'RolledBack',
      run: { steps: [], checks: [{ time: '', weight: 0, passed: false }] },
    });
    // An installation that rolls back with another label
    const undo = { key: 'asm.example.com/action', value: 'undo' };
    expect(runEvent(labelled, undo).type).toBe('Failed');
    expect(
      runEvent(
        {
          ...labelled,
          metadata: {
            ...bare.metadata,
            labels: { 'asm.example.com/action': 'undo' },
          },
        },
        undo,
      ).type,
    ).toBe('RolledBack');
  });

  it("reads the emulator's schema: revision, steps, checks with responseTimeMs, result", () => {
    const steps = [
      { time: '2026-01-01T00:01:00Z', weight: 5 },
      { time: '2026-01-01T00:10:00Z', weight: 0 },
    ];
    const checks = [
      {
        time: '2026-01-01T00:02:00Z',
        weight: 5,
        successRate: 80,
        responseTimeMs: 350,
        passed: false,
      },
    ];
    const event = runEvent({
      ...bare,
      spec: {
        phase: 'Failed',
        revision: 'quay.io/codefresh/rollouts-demo:bad-red',
        startTime: '2026-01-01T00:00:00Z',
        endTime: '2026-01-01T00:10:00Z',
        steps,
        checks,
        message: 'Canary failed! Scaling down canary-demo.flagger-demo',
        result: 'Failed',
      },
    });
    expect(event).toMatchObject({
      type: 'Failed',
      time: '2026-01-01T00:00:00.000Z',
      message: 'Canary failed! Scaling down canary-demo.flagger-demo',
      run: {
        revision: 'quay.io/codefresh/rollouts-demo:bad-red',
        startTime: '2026-01-01T00:00:00Z',
        endTime: '2026-01-01T00:10:00Z',
        steps,
        checks,
      },
    });
  });

  /** A client that serves one CanaryDelivery in phase Failed and the given CanaryEvents. */
  function failedDelivery(events: KubeObject[]): KubeClient {
    const cd: KubeObject = {
      apiVersion: 'asm.alauda.io/v1alpha1',
      kind: 'CanaryDelivery',
      metadata: { name: 'canary-demo', namespace: NS, resourceVersion: '7' },
      spec: { targetRef: { name: 'canary-demo' } },
      status: { phase: 'Failed', canaryWeight: 0 },
    };
    return {
      cluster: 'test',
      get: async () => cd,
      list: async resource =>
        resource === RESOURCES.canaryEvents ? events : [],
    };
  }

  const phaseWith = async (events: KubeObject[]) => {
    const snapshot = await new CanaryDeliveryStrategy().read({
      client: failedDelivery(events),
      cluster: 'test',
      namespace: NS,
      target: {
        entityRef: 'component:default/canary-demo',
        strategy: 'canary-delivery',
        target: 'canary-demo',
        clusters: ['test'],
        namespace: NS,
        versionLabel: 'version',
      },
      config: {} as any,
    });
    return snapshot.view.phase;
  };

  it('maps Flagger phase Failed to RolledBack after a rollback label, and to Failed after failed checks', async () => {
    const withSpec = (spec: any, labels: Record<string, string> = {}) => ({
      ...bare,
      metadata: {
        ...bare.metadata,
        labels: { ...bare.metadata.labels, ...labels },
      },
      spec,
    });
    expect(await phaseWith([withSpec({ result: 'Failed' })])).toBe('Failed');
    expect(
      await phaseWith([
        withSpec({ result: 'RolledBack' }, { action: 'rollback' }),
      ]),
    ).toBe('RolledBack');
    // A real ASM event: no result, only the rollback label.
    expect(await phaseWith([withSpec(undefined, { action: 'rollback' })])).toBe(
      'RolledBack',
    );
    expect(await phaseWith([bare])).toBe('Failed');
    expect(await phaseWith([])).toBe('Failed');
  });
});

describe("Flagger's phases in the rollout vocabulary", () => {
  it.each([
    ['Initializing', false, 'Progressing'],
    ['Initialized', false, 'Stable'],
    ['Waiting', false, 'Progressing'],
    ['Progressing', false, 'Progressing'],
    ['WaitingPromotion', false, 'Paused'],
    ['Promoting', false, 'Promoting'],
    ['Finalising', false, 'Promoting'],
    ['Succeeded', false, 'Stable'],
    ['Failed', false, 'Failed'],
    ['Failed', true, 'RolledBack'],
    ['Terminating', false, 'Unknown'],
  ])('%s (rolled back by a label: %s) is %s', (flagger, rolledBack, phase) => {
    expect(flaggerPhaseToPhase(flagger, rolledBack)).toBe(phase);
  });
});
