import {
  componentRollout,
  customObject,
  expectNewestFirst,
  useDemoCluster,
} from '../__testUtils__/strategyHarness';

const NS = 'istio';
const VIRTUALSERVICES = {
  group: 'networking.istio.io',
  version: 'v1',
  plural: 'virtualservices',
};

describe('istio', () => {
  const demo = useDemoCluster({ readyNamespaces: [NS] });
  const web = componentRollout(demo, 'web-istio');

  const virtualService = customObject(demo, VIRTUALSERVICES, NS, 'web');
  /** Sets the weights of the http and the tcp route (stable, preview), as someone would in the cluster. */
  const setWeights = (...perRoute: [number, number][]) =>
    virtualService.modify(vs => {
      ['http', 'tcp'].forEach((kind, i) => {
        const [stable, preview] = perRoute[i] ?? perRoute[0];
        vs.spec[kind][0].route[0].weight = stable;
        vs.spec[kind][0].route[1].weight = preview;
      });
    });

  it('shows the VirtualService split between web-stable and web-preview', async () => {
    const view = await web.view();
    expect(view).toMatchObject({
      strategy: 'istio',
      mode: 'canary',
      phase: 'Stable',
      target: { kind: 'VirtualService', name: 'web', namespace: NS },
      traffic: {
        weights: [
          { version: 'web-stable', role: 'stable', weight: 100 },
          { version: 'web-preview', role: 'canary', weight: 0 },
        ],
        rulesDiffer: false,
      },
    });
    expect(view.versions.map((v: any) => v.workload.name)).toEqual([
      'web-stable',
      'web-preview',
    ]);
    expect(view.versions[1].images).toEqual(['hello:1.23.2']);
    expect(view.versions[0].pods).toHaveLength(2);
    const { metadata } = await virtualService.read();
    expect(view.revision).toBe(
      `virtualservice/web@${metadata.resourceVersion}`,
    );
  });

  it('reads the split of the http and the tcp route', async () => {
    setWeights([80, 20]);
    const split = await web.view();
    expect(split).toMatchObject({
      phase: 'Progressing',
      message: 'traffic is split: 20% to the canary version web-preview',
    });
    expect(split.traffic.weights.map((w: any) => w.weight)).toEqual([80, 20]);

    setWeights([80, 20], [50, 50]);
    const differ = await web.view();
    expect(differ.traffic.rulesDiffer).toBe(true);
    expect(differ.message).toMatch(
      /\(the routes of VirtualService istio\/web have different weights: 20, 50% canary\)$/,
    );

    setWeights([0, 100]);
    expect((await web.view()).phase).toBe('Promoted');
    setWeights([100, 0]);
    expect((await web.view()).phase).toBe('Stable');
  });

  it('lists the Kubernetes Events of the Services and Deployments, newest first', async () => {
    const res = await web.events({ limit: 100 });
    expect(res.status).toBe(200);
    const events: any[] = res.body.events;
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.kind).toBe('kubernetes-event');
      expect(e.involvedObject.name).toMatch(
        /^(web|web-stable|web-preview)(-|$)/,
      );
    }
    expectNewestFirst(events);
  });

  it('asks for the stable annotation when the destinations cannot be told apart', async () => {
    virtualService.modify(vs => {
      for (const kind of ['http', 'tcp']) {
        vs.spec[kind][0].route[0].destination.host = 'web-blue';
        vs.spec[kind][0].route[1].destination.host = 'web-green';
      }
    });
    const res = await web.get();
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'cannot tell which backend of VirtualService istio/web serves the stable version (web-blue, web-green): add annotation kube-rollouts.io/stable (or kube-rollouts.io/canary) naming it',
    );
  });
});
