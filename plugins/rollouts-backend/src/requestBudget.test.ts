import {
  componentRollout,
  useDemoCluster,
} from './__testUtils__/strategyHarness';

/**
 * A view costs a bounded number of Kubernetes requests, the same for every viewer and whatever
 * the number of objects in the namespace; reads only, never a write.
 */
describe('Kubernetes requests per view', () => {
  const demo = useDemoCluster({
    readyNamespaces: [
      'service-selector',
      'gateway-api',
      'istio',
      'flagger-demo',
    ],
  });

  it.each([
    ['web-service-selector', 4],
    ['web-gateway-api', 4],
    ['web-istio', 4],
    ['canary-demo', 4],
    ['bluegreen-demo', 4],
  ])(
    '%s: at most %i reads, the same for a second viewer',
    async (name, budget) => {
      const rollout = componentRollout(demo, name);
      const costs: number[] = [];
      for (let viewer = 0; viewer < 2; viewer++) {
        demo.emu.resetCounts();
        await rollout.view();
        const counts = demo.emu.requestCounts();
        for (const verb of Object.keys(counts.byVerb)) {
          expect(['get', 'list']).toContain(verb);
        }
        costs.push(counts.total);
      }
      expect(costs[0]).toBeGreaterThan(0);
      expect(costs[0]).toBeLessThanOrEqual(budget);
      expect(costs[1]).toBe(costs[0]);
    },
  );
});
