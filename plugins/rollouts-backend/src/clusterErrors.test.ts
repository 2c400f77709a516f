import request from 'supertest';
import {
  clusterFor,
  component,
  embeddedReadonlyAndDown,
  Emulator,
  entities,
  startEmulator,
  startRollouts,
  TestRollouts,
} from './__testUtils__/backend';

const ENTITY = '/api/rollouts/entities/component/default';
const TIMEOUT_MS = 600;

const onClusters = (name: string, clusters: string) =>
  component(name, {
    'kube-rollouts.io/strategy': 'gateway-api',
    'kube-rollouts.io/target': 'web',
    'kube-rollouts.io/namespace': 'gateway-api',
    'kube-rollouts.io/cluster': clusters,
  });

describe('cluster errors', () => {
  let emu: Emulator;
  let backend: TestRollouts;

  beforeAll(async () => {
    emu = await startEmulator({ scenario: 'demo', timeScale: 200 });
    backend = await startRollouts({
      clusters: [
        ...(await embeddedReadonlyAndDown(emu)),
        clusterFor(emu, 'bad-token', 'not-a-token'),
        {
          name: 'eks',
          url: 'https://eks.example.com',
          authProvider: 'aws',
        },
      ],
      kubeRollouts: {
        requestTimeoutMs: TIMEOUT_MS,
        clusters: [{ name: 'readonly', allowedNamespaces: ['gateway-api'] }],
      },
      catalog: [
        onClusters('on-readonly', 'readonly'),
        onClusters('on-two', 'embedded, readonly'),
        onClusters('on-two-one-down', 'embedded, down'),
        onClusters('on-down', 'down'),
        onClusters('on-eks', 'eks'),
        onClusters('on-bad-token', 'bad-token'),
        component('selector-on-readonly', {
          'kube-rollouts.io/strategy': 'service-selector',
          'kube-rollouts.io/target': 'web',
          'kube-rollouts.io/namespace': 'service-selector',
          'kube-rollouts.io/cluster': 'readonly',
        }),
        component('no-cluster', { 'kube-rollouts.io/strategy': 'istio' }),
      ],
    });
  });

  afterAll(async () => {
    emu.faults.clear();
    await backend?.stop();
    await emu?.stop();
  });

  afterEach(() => emu.faults.clear());

  it('a read-only cluster token is enough to read the rollout and its history', async () => {
    for (const path of ['rollout', 'rollout/events']) {
      const res = await request(backend.server).get(
        `${ENTITY}/on-readonly/${path}`,
      );
      expect(res.body.error?.message ?? res.status).toBe(200);
    }
  });

  it('a namespace outside the cluster allow-list is refused', async () => {
    const res = await request(backend.server).get(
      `${ENTITY}/selector-on-readonly/rollout`,
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      "namespace 'service-selector' of component:default/selector-on-readonly is not allowed on cluster 'readonly' (kubeRollouts.clusters allowedNamespaces: gateway-api)",
    );
  });

  it('a stopped cluster is a 503 naming it', async () => {
    const started = Date.now();
    const res = await request(backend.server).get(`${ENTITY}/on-down/rollout`);
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(
      /^cluster 'down' is unreachable \(ECONNREFUSED\) while trying to (get HTTPRoute gateway-api\/web|list \w+ in namespace gateway-api)$/,
    );
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3);
  });

  it('one rollout per cluster', async () => {
    const res = await request(backend.server).get(`${ENTITY}/on-two/rollout`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: 'component:default/on-two',
      errors: [],
    });
    expect(res.body.rollouts.map((r: any) => r.cluster)).toEqual([
      'embedded',
      'readonly',
    ]);
  });

  it('a cluster that is down is listed in errors, the others are still shown', async () => {
    const res = await request(backend.server).get(
      `${ENTITY}/on-two-one-down/rollout`,
    );
    expect(res.status).toBe(200);
    expect(res.body.rollouts.map((r: any) => r.cluster)).toEqual(['embedded']);
    expect(res.body.errors).toEqual([
      {
        cluster: 'down',
        statusCode: 503,
        message: expect.stringMatching(/^cluster 'down' is unreachable/),
      },
    ]);
  });

  it('the history of a rollout on several clusters is read per cluster', async () => {
    const missing = await request(backend.server).get(
      `${ENTITY}/on-two/rollout/events`,
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe(
      'query parameter cluster is required: component:default/on-two runs on clusters embedded, readonly',
    );
    const res = await request(backend.server).get(
      `${ENTITY}/on-two/rollout/events?cluster=readonly&limit=5`,
    );
    expect(res.body.error?.message ?? res.status).toBe(200);
    expect(res.body.cluster).toBe('readonly');
    expect(res.body.events.length).toBeLessThanOrEqual(5);
  });

  it('several clusters and no cluster annotation: 400 naming the annotation to add', async () => {
    const res = await request(backend.server).get(
      `${ENTITY}/no-cluster/rollout`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'several clusters are configured (embedded, readonly, down, bad-token, eks): add annotation kube-rollouts.io/cluster to component:default/no-cluster naming the cluster(s) the rollout runs on',
    );
  });

  it('a token the cluster rejects is a 503 naming the cluster', async () => {
    const res = await request(backend.server).get(
      `${ENTITY}/on-bad-token/rollout`,
    );
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(
      /^cluster 'bad-token' rejected the credentials configured for it \(401\) while trying to /,
    );
  });

  it('an unsupported auth provider is reported clearly', async () => {
    const res = await request(backend.server).get(`${ENTITY}/on-eks/rollout`);
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe(
      "cluster 'eks' uses authProvider 'aws', which Kube Rollouts does not support yet (supported: serviceAccount, with serviceAccountToken or the in-cluster service account)",
    );
  });

  it.each([
    [
      '503',
      { status: 503 as const },
      503,
      /^cluster 'embedded' failed to get HTTPRoute gateway-api\/web \(HTTP 503\)/,
    ],
    [
      '429',
      { status: 429 as const },
      503,
      /^cluster 'embedded' is throttling requests \(429\) while trying to get HTTPRoute gateway-api\/web/,
    ],
    [
      '500',
      { status: 500 as const },
      503,
      /^cluster 'embedded' failed to get HTTPRoute gateway-api\/web \(HTTP 500\)/,
    ],
    [
      'latency',
      { latencyMs: 3000 },
      503,
      /^cluster 'embedded' did not answer within 600 ms while trying to get HTTPRoute gateway-api\/web$/,
    ],
    [
      'dropped connection',
      { drop: true as const },
      503,
      /^cluster 'embedded' is unreachable \(.+\) while trying to get HTTPRoute gateway-api\/web$/,
    ],
  ])(
    'a %s fault on the route is translated, within the timeout',
    async (_name, fault, status, message) => {
      emu.faults.set([
        { method: 'GET', pathRegex: '/httproutes/web$', share: 1, ...fault },
      ]);
      const started = Date.now();
      const res = await request(backend.server).get(
        `${ENTITY}/on-two-one-down/rollout/events?cluster=embedded`,
      );
      expect(res.body.error?.message).toMatch(message);
      expect(res.status).toBe(status);
      expect(res.body.error.message).not.toMatch(/HTTP-Code|Headers/);
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3);
    },
  );
});

describe('no cluster configured', () => {
  let backend: TestRollouts;

  beforeAll(async () => {
    backend = await startRollouts({ clusters: [] });
  });

  afterAll(() => backend?.stop());

  it('starts, and answers with a clear 503', async () => {
    for (const path of ['rollout', 'rollout/events']) {
      const res = await request(backend.server).get(
        `${ENTITY}/web-istio/${path}`,
      );
      expect(res.status).toBe(503);
      expect(res.body.error.message).toBe(
        'no Kubernetes cluster is configured: add one under kubernetes.clusterLocatorMethods (type: config)',
      );
    }
  });
});

describe('one cluster of two is named by the entity', () => {
  let emu: Emulator;
  let backend: TestRollouts;

  beforeAll(async () => {
    emu = await startEmulator({ scenario: 'demo', timeScale: 200 });
    backend = await startRollouts({
      clusters: [clusterFor(emu, 'embedded'), clusterFor(emu, 'staging')],
      catalog: entities.map(e => ({
        ...e,
        metadata: {
          ...e.metadata,
          annotations: {
            ...e.metadata.annotations,
            'backstage.io/kubernetes-cluster': 'staging',
          },
        },
      })),
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await emu?.stop();
  });

  it('reads backstage.io/kubernetes-cluster when kube-rollouts.io/cluster is absent', async () => {
    const res = await request(backend.server).get(
      `${ENTITY}/web-istio/rollout`,
    );
    expect(res.body.error?.message ?? res.status).toBe(200);
    expect(res.body.rollouts.map((r: any) => r.cluster)).toEqual(['staging']);
  });
});
