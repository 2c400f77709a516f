import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import {
  component,
  embeddedReadonlyAndDown,
  Emulator,
  entities,
  startEmulator,
  startRollouts,
  TestRollouts,
} from '../__testUtils__/backend';

const TIMEOUT_MS = 600;

/**
 * Per strategy: the demo entity, the object its rollout is read from as errors name it, and the
 * end of that object's API path.
 */
const CASES: Record<string, { entity: string; target: string; path: string }> =
  {
    'service-selector': {
      entity: 'web-service-selector',
      target: 'Service service-selector/web',
      path: '/services/web$',
    },
    'gateway-api': {
      entity: 'web-gateway-api',
      target: 'HTTPRoute gateway-api/web',
      path: '/httproutes/web$',
    },
    istio: {
      entity: 'web-istio',
      target: 'VirtualService istio/web',
      path: '/virtualservices/web$',
    },
    'canary-delivery': {
      entity: 'canary-demo',
      target: 'CanaryDelivery flagger-demo/canary-demo',
      path: '/canarydeliveries/canary-demo$',
    },
  };

/** A copy of a demo entity on `cluster`, owned by `owner`. */
function variant(
  base: string,
  suffix: string,
  cluster: string,
  owner = 'team-rollouts',
): Entity {
  const entity = entities.find(e => e.metadata.name === base)!;
  return component(
    `${base}-${suffix}`,
    {
      ...entity.metadata.annotations,
      'kube-rollouts.io/cluster': cluster,
    },
    owner,
  );
}

describe('every strategy: denied reads and failing clusters', () => {
  let emu: Emulator;
  let backend: TestRollouts;

  beforeAll(async () => {
    emu = await startEmulator({ scenario: 'demo', timeScale: 50 });
    backend = await startRollouts({
      clusters: await embeddedReadonlyAndDown(emu),
      kubeRollouts: { requestTimeoutMs: TIMEOUT_MS },
      catalog: Object.values(CASES).flatMap(c => [
        variant(c.entity, 'embedded', 'embedded'),
        variant(c.entity, 'other-team', 'embedded', 'team-payments'),
        variant(c.entity, 'readonly', 'readonly'),
        variant(c.entity, 'down', 'down'),
      ]),
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await emu?.stop();
  });

  afterEach(() => emu.faults.clear());

  describe.each(Object.entries(CASES))('%s', (_strategy, c) => {
    /** GETs the rollout and its history of a variant; both must answer `status` in time. */
    async function expectBoth(suffix: string, status: number) {
      const path = `/api/rollouts/entities/component/default/${c.entity}-${suffix}/rollout`;
      const messages: string[] = [];
      for (const url of [path, `${path}/events`]) {
        const started = Date.now();
        const res = await request(backend.server).get(url);
        // With the message, a failure says more than the status.
        expect({ status: res.status, error: res.body.error?.message }).toEqual({
          status,
          error: status === 200 ? undefined : expect.any(String),
        });
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 4);
        if (res.body.error) messages.push(res.body.error.message);
      }
      return messages;
    }

    it('reads the rollout and its history', async () => {
      expect(await expectBoth('embedded', 200)).toEqual([]);
    });

    it('a user without rollouts.rollout.read is denied, and the cluster is not asked', async () => {
      emu.counters.reset();
      const messages = await expectBoth('other-team', 403);
      expect(messages).toEqual(
        Array(2).fill(
          `user:default/mock may not rollouts.rollout.read on component:default/${c.entity}-other-team`,
        ),
      );
      expect(emu.counters.snapshot().total).toBe(0);
    });

    it('a read-only cluster token is enough', async () => {
      expect(await expectBoth('readonly', 200)).toEqual([]);
    });

    it('a cluster that is down: 503 naming it', async () => {
      for (const message of await expectBoth('down', 503)) {
        expect(message).toMatch(
          /^cluster 'down' is unreachable \(ECONNREFUSED\)/,
        );
      }
    });

    it('a cluster that fails the read: 503 naming the cluster and the object', async () => {
      emu.faults.set([
        {
          method: 'GET',
          pathRegex: c.path,
          share: 1,
          status: 503,
        },
      ]);
      for (const message of await expectBoth('embedded', 503)) {
        expect(message).toMatch(
          new RegExp(
            `^cluster 'embedded' failed to get ${c.target} \\(HTTP 503\\)`,
          ),
        );
      }
    });

    it('a cluster slower than the timeout: 503 in time', async () => {
      emu.faults.set([{ method: 'GET', share: 1, latencyMs: 3000 }]);
      for (const message of await expectBoth('embedded', 503)) {
        expect(message).toMatch(
          /^cluster 'embedded' did not answer within 600 ms while trying to /,
        );
      }
    });
  });
});
