import { Entity } from '@backstage/catalog-model';
import request from 'supertest';
import {
  clusterFor,
  component,
  Emulator,
  entities,
  kubeClients,
  startEmulator,
  startRollouts,
  TestRollouts,
} from './__testUtils__/backend';

const annotated = (name: string, annotations: Record<string, string>) =>
  component(name, annotations);

const gw = {
  'kube-rollouts.io/strategy': 'gateway-api',
  'kube-rollouts.io/target': 'web',
  'kube-rollouts.io/namespace': 'gateway-api',
};

const cd = {
  'kube-rollouts.io/strategy': 'canary-delivery',
  'kube-rollouts.io/namespace': 'flagger-demo',
};

const badEntities: Entity[] = [
  annotated('no-strategy', {}),
  annotated('strategy-blue', { 'kube-rollouts.io/strategy': 'blue' }),
  annotated('bad-target', { ...gw, 'kube-rollouts.io/target': '../web' }),
  annotated('bad-namespace', {
    ...gw,
    'kube-rollouts.io/namespace': 'Gateway_API',
  }),
  annotated('unknown-cluster', { ...gw, 'kube-rollouts.io/cluster': 'prod' }),
  annotated('bad-mode', { ...gw, 'kube-rollouts.io/mode': 'linear' }),
  annotated('selector-injection', {
    ...gw,
    'kube-rollouts.io/stable': 'web-stable,x=y',
  }),
  annotated('bad-version-label', {
    'kube-rollouts.io/strategy': 'service-selector',
    'kube-rollouts.io/target': 'web',
    'kube-rollouts.io/namespace': 'service-selector',
    'kube-rollouts.io/version-label': 'ver sion',
  }),
  annotated('wrong-version-label', {
    'kube-rollouts.io/strategy': 'service-selector',
    'kube-rollouts.io/target': 'web',
    'kube-rollouts.io/namespace': 'service-selector',
    'kube-rollouts.io/version-label': 'color',
  }),
  annotated('canary-mode-selector', {
    'kube-rollouts.io/strategy': 'service-selector',
    'kube-rollouts.io/mode': 'canary',
  }),
  annotated('missing-route', { ...gw, 'kube-rollouts.io/target': 'nope' }),
  annotated('unknown-stable', { ...gw, 'kube-rollouts.io/stable': 'web-blue' }),
  annotated('stable-selector', {
    'kube-rollouts.io/strategy': 'service-selector',
    'kube-rollouts.io/stable': 'blue',
  }),
  annotated('canary-selector', {
    'kube-rollouts.io/strategy': 'service-selector',
    'kube-rollouts.io/canary': 'green',
  }),
  annotated('mode-canary-delivery', {
    ...cd,
    'kube-rollouts.io/mode': 'blue-green',
  }),
  annotated('canary-canary-delivery', {
    ...cd,
    'kube-rollouts.io/canary': 'canary-demo',
  }),
  annotated('label-canary-delivery', {
    ...cd,
    'kube-rollouts.io/version-label': 'version',
  }),
  annotated('long-canary-delivery', {
    ...cd,
    'kube-rollouts.io/target': 'c'.repeat(64),
  }),
];

const STRATEGIES = 'service-selector, gateway-api, istio, canary-delivery';
const ENTITY = '/api/rollouts/entities/component/default';

describe('bad inputs', () => {
  let emu: Emulator;
  let backend: TestRollouts;
  let kube: ReturnType<typeof kubeClients>;

  beforeAll(async () => {
    emu = await startEmulator({ scenario: 'demo', timeScale: 200 });
    kube = kubeClients(emu);
    backend = await startRollouts({
      clusters: [clusterFor(emu)],
      catalog: [...entities, ...badEntities],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await emu?.stop();
  });

  const readRoute = () =>
    kube.custom.getNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      plural: 'httproutes',
      namespace: 'gateway-api',
      name: 'web',
    });

  const table: [string, string, number, string][] = [
    // [what, path, status, message]
    [
      'strategy annotation missing',
      `${ENTITY}/no-strategy/rollout`,
      400,
      `entity component:default/no-strategy has no annotation kube-rollouts.io/strategy — expected one of ${STRATEGIES}`,
    ],
    [
      'unknown strategy',
      `${ENTITY}/strategy-blue/rollout`,
      400,
      `annotation kube-rollouts.io/strategy has value 'blue' — expected one of ${STRATEGIES}`,
    ],
    [
      'target with a path',
      `${ENTITY}/bad-target/rollout`,
      400,
      "annotation kube-rollouts.io/target has value '../web' — expected a Kubernetes object name (lower-case letters, digits, - and ., at most 253 characters)",
    ],
    [
      'invalid namespace',
      `${ENTITY}/bad-namespace/rollout`,
      400,
      "annotation kube-rollouts.io/namespace has value 'Gateway_API' — expected a namespace name (lower-case letters, digits and -, at most 63 characters)",
    ],
    [
      'unknown cluster',
      `${ENTITY}/unknown-cluster/rollout`,
      400,
      "annotation kube-rollouts.io/cluster has value 'prod' — cluster 'prod' is not configured — expected one of: embedded",
    ],
    [
      'unknown mode',
      `${ENTITY}/bad-mode/rollout`,
      400,
      "annotation kube-rollouts.io/mode has value 'linear' — expected one of blue-green, canary",
    ],
    [
      'selector injection in stable',
      `${ENTITY}/selector-injection/rollout`,
      400,
      "annotation kube-rollouts.io/stable has value 'web-stable,x=y' — expected a Service name of the HTTPRoute",
    ],
    [
      'invalid version label',
      `${ENTITY}/bad-version-label/rollout`,
      400,
      "annotation kube-rollouts.io/version-label has value 'ver sion' — expected a Kubernetes label key",
    ],
    [
      'version label not in the selector',
      `${ENTITY}/wrong-version-label/rollout`,
      400,
      "the selector of Service service-selector/web (app=web, version=blue) has no label 'color': set annotation kube-rollouts.io/version-label to the label that names the version",
    ],
    [
      'canary mode for service-selector',
      `${ENTITY}/canary-mode-selector/rollout`,
      400,
      "annotation kube-rollouts.io/mode has value 'canary' — expected blue-green or no annotation: service-selector switches all traffic at once",
    ],
    [
      'stable annotation not a backend',
      `${ENTITY}/unknown-stable/rollout`,
      400,
      "annotation kube-rollouts.io/stable has value 'web-blue' — expected one of the backends of HTTPRoute gateway-api/web: web-canary, web-stable",
    ],
    ...(
      [
        [
          'stable-selector',
          'kube-rollouts.io/stable',
          'service-selector',
          "the serving version is the one the Service's selector or the CanaryDelivery names",
        ],
        [
          'canary-selector',
          'kube-rollouts.io/canary',
          'service-selector',
          'the versions beside the selected one are the canaries, or the CanaryDelivery names them',
        ],
        [
          'mode-canary-delivery',
          'kube-rollouts.io/mode',
          'canary-delivery',
          "the CanaryDelivery's analysis decides: stepWeight = maxWeight = 100 is blue-green",
        ],
        [
          'canary-canary-delivery',
          'kube-rollouts.io/canary',
          'canary-delivery',
          'the versions beside the selected one are the canaries, or the CanaryDelivery names them',
        ],
        [
          'label-canary-delivery',
          'kube-rollouts.io/version-label',
          'canary-delivery',
          "only service-selector switches a Service's selector by a label",
        ],
      ] as const
    ).map(
      ([name, annotation, strategy, because]) =>
        [
          `${annotation} on ${strategy}`,
          `${ENTITY}/${name}/rollout`,
          400,
          `annotation ${annotation} is not used by the ${strategy} strategy (${because}): remove it`,
        ] as [string, string, number, string],
    ),
    [
      'CanaryDelivery name longer than a label value',
      `${ENTITY}/long-canary-delivery/rollout`,
      400,
      `annotation kube-rollouts.io/target has value '${'c'.repeat(
        64,
      )}' — expected a CanaryDelivery name of at most 63 characters (it is used as a label value)`,
    ],
    [
      'missing Kubernetes object',
      `${ENTITY}/missing-route/rollout`,
      404,
      "HTTPRoute 'nope' not found in namespace 'gateway-api' on cluster 'embedded'",
    ],
    [
      'unknown entity',
      `${ENTITY}/nope/rollout`,
      404,
      'entity component:default/nope not found in the catalog',
    ],
    [
      'invalid kind',
      '/api/rollouts/entities/comp%20onent/default/web-istio/rollout',
      400,
      'path parameter kind: expected an entity kind such as component',
    ],
    [
      'name too long',
      `${ENTITY}/${'a'.repeat(64)}/rollout`,
      400,
      'path parameter name: expected an entity name (letters, digits, -, _ and ., at most 63)',
    ],
    [
      'limit 0',
      `${ENTITY}/web-istio/rollout/events?limit=0`,
      400,
      'query parameter limit: expected a whole number from 1 to 100',
    ],
    [
      'limit not a number',
      `${ENTITY}/web-istio/rollout/events?limit=ten`,
      400,
      'query parameter limit: expected a whole number from 1 to 100',
    ],
    [
      'unknown query parameter',
      `${ENTITY}/web-istio/rollout/events?page=2`,
      400,
      'query: unknown query parameter page — expected cluster, limit, cursor',
    ],
    [
      'garbage cursor',
      `${ENTITY}/web-istio/rollout/events?cursor=xyz`,
      400,
      "query parameter cursor has value 'xyz' — expected a nextCursor returned by this API",
    ],
    [
      'cluster not of the entity',
      `${ENTITY}/web-istio/rollout/events?cluster=prod`,
      400,
      "query parameter cluster has value 'prod' — expected one of the clusters of component:default/web-istio: embedded",
    ],
  ];

  it.each(table)('%s: GET %s', async (_what, path, status, message) => {
    emu.counters.reset();
    const res = await request(backend.server).get(path);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toBe(message);
    // The plugin only reads.
    const verbs = emu.counters.snapshot().byVerb;
    expect((verbs.patch ?? 0) + (verbs.create ?? 0) + (verbs.update ?? 0)).toBe(
      0,
    );
  });

  it.each(['promote', 'rollback', 'weight'])(
    'has no %s action: POST is 404 and changes nothing',
    async action => {
      const before = await readRoute();
      const res = await request(backend.server)
        .post(`${ENTITY}/web-gateway-api/rollout/${action}`)
        .send({ weight: 50 });
      expect(res.status).toBe(404);
      expect((await readRoute()).metadata.resourceVersion).toBe(
        before.metadata.resourceVersion,
      );
    },
  );
});
