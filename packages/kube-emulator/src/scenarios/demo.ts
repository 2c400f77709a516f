import { primaryDeployment } from '../controllers/canary/objects';
import {
  ANNOTATION_AUTO_RELEASE,
  LABEL_BACKSTAGE_ID,
  parseCanarySpec,
} from '../controllers/canary/spec';
import { R } from '../controllers/resources';
import { podTemplateHash, rfc3339 } from '../controllers/util';
import type { KubeObject, Store } from '../store/types';
import { ensure, loadBase, namespace } from './common';
import { loadHistory } from './history';

const DAY = 24 * 3_600_000;
const HOUR = 3_600_000;

/** The Backstage `backstage.io/kubernetes-id` of each demo application. @public */
export const DEMO_IDS = {
  serviceSelector: 'web-service-selector',
  gatewayApi: 'web-gateway-api',
  istio: 'web-istio',
  canaryDemo: 'canary-demo',
  bluegreenDemo: 'bluegreen-demo',
  /** The portal's permission demo: a chapter-1 style blue/green by Service selector. */
  payments: 'payments-web',
} as const;

/** The namespaces of the demo's four chapters, plus `payments` for the portal's permission demo. @public */
export const DEMO_NAMESPACES = {
  serviceSelector: 'service-selector',
  gatewayApi: 'gateway-api',
  istio: 'istio',
  flagger: 'flagger-demo',
  payments: 'payments',
} as const;

function deployment(
  ns: string,
  name: string,
  id: string,
  replicas: number,
  labels: Record<string, string>,
  image: string,
  container = 'web',
  port = 80,
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: ns,
      labels: { ...labels, [LABEL_BACKSTAGE_ID]: id },
    },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, [LABEL_BACKSTAGE_ID]: id } },
        spec: {
          containers: [
            { name: container, image, ports: [{ containerPort: port }] },
          ],
        },
      },
    },
  };
}

function service(
  ns: string,
  name: string,
  id: string,
  selector: Record<string, string>,
  targetPort = 80,
  portName?: string,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { [LABEL_BACKSTAGE_ID]: id } },
    spec: {
      selector,
      ports: [
        {
          ...(portName ? { name: portName } : {}),
          protocol: 'TCP',
          port: 80,
          targetPort,
        },
      ],
    },
  };
}

function loadServiceSelector(store: Store) {
  const ns = DEMO_NAMESPACES.serviceSelector;
  const id = DEMO_IDS.serviceSelector;
  ensure(
    store,
    R.deployments,
    deployment(
      ns,
      'blue',
      id,
      3,
      { app: 'web', version: 'blue' },
      'hello:1.23.1',
    ),
  );
  ensure(
    store,
    R.deployments,
    deployment(
      ns,
      'green',
      id,
      3,
      { app: 'web', version: 'green' },
      'hello:1.23.2',
    ),
  );
  ensure(
    store,
    R.services,
    service(ns, 'web', id, { app: 'web', version: 'blue' }),
  );
}

/** The permission demo's rollout: chapter 1's setup for the Service `payments-web`. */
function loadPayments(store: Store) {
  const ns = DEMO_NAMESPACES.payments;
  const id = DEMO_IDS.payments;
  const versions = [
    ['blue', 'payments:2.4.0'],
    ['green', 'payments:2.5.0'],
  ] as const;
  for (const [version, image] of versions)
    ensure(
      store,
      R.deployments,
      deployment(
        ns,
        `payments-web-${version}`,
        id,
        2,
        { app: 'payments-web', version },
        image,
      ),
    );
  ensure(
    store,
    R.services,
    service(ns, 'payments-web', id, { app: 'payments-web', version: 'blue' }),
  );
}

function loadGatewayApi(store: Store) {
  const ns = DEMO_NAMESPACES.gatewayApi;
  const id = DEMO_IDS.gatewayApi;
  ensure(
    store,
    { group: 'gateway.networking.k8s.io', resource: 'gatewayclasses' },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: 'exclusive-gateway' },
      spec: {
        controllerName: 'kube-emulator.io/gateway-controller',
        description: 'ALB exclusive gateway (simulated)',
      },
    },
  );
  ensure(
    store,
    R.deployments,
    deployment(ns, 'web-stable', id, 2, { app: 'web-stable' }, 'hello:1.23.1'),
  );
  ensure(
    store,
    R.services,
    service(ns, 'web-stable', id, { app: 'web-stable' }),
  );
  ensure(
    store,
    R.deployments,
    deployment(ns, 'web-canary', id, 2, { app: 'web-canary' }, 'hello:1.23.2'),
  );
  ensure(
    store,
    R.services,
    service(ns, 'web-canary', id, { app: 'web-canary' }),
  );
  ensure(store, R.gateways, {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      name: 'default',
      namespace: ns,
      labels: { [LABEL_BACKSTAGE_ID]: id },
    },
    spec: {
      gatewayClassName: 'exclusive-gateway',
      listeners: [
        {
          allowedRoutes: { namespaces: { from: 'All' } },
          name: 'gateway-metric',
          port: 11782,
          protocol: 'TCP',
        },
        {
          allowedRoutes: { namespaces: { from: 'All' } },
          hostname: 'example.com',
          name: 'web',
          port: 80,
          protocol: 'HTTP',
        },
      ],
    },
  });
  const backend = (name: string, weight: number) => ({
    group: '',
    kind: 'Service',
    name,
    namespace: ns,
    port: 80,
    weight,
  });
  ensure(store, R.httproutes, {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      name: 'web',
      namespace: ns,
      labels: { [LABEL_BACKSTAGE_ID]: id },
    },
    spec: {
      hostnames: ['example.com'],
      parentRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: 'default',
          namespace: ns,
          sectionName: 'web',
        },
      ],
      rules: [
        {
          backendRefs: [backend('web-canary', 0), backend('web-stable', 100)],
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        },
      ],
    },
  });
}

function istioGateway(ns: string, labels?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: {
      name: 'istio-rollout-gateway',
      namespace: ns,
      ...(labels ? { labels } : {}),
    },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] },
      ],
    },
  };
}

function loadIstio(store: Store) {
  const ns = DEMO_NAMESPACES.istio;
  const id = DEMO_IDS.istio;
  ensure(
    store,
    R.deployments,
    deployment(
      ns,
      'web-stable',
      id,
      2,
      { app: 'web', version: 'stable' },
      'hello:1.23.1',
    ),
  );
  ensure(
    store,
    R.services,
    service(ns, 'web-stable', id, { app: 'web', version: 'stable' }),
  );
  ensure(
    store,
    R.deployments,
    deployment(
      ns,
      'web-preview',
      id,
      2,
      { app: 'web', version: 'preview' },
      'hello:1.23.2',
    ),
  );
  ensure(
    store,
    R.services,
    service(ns, 'web-preview', id, { app: 'web', version: 'preview' }),
  );
  ensure(
    store,
    R.istioGateways,
    istioGateway(ns, { [LABEL_BACKSTAGE_ID]: id }),
  );
  ensure(store, R.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'rollout-ingressgateway',
      namespace: 'istio-system',
      labels: {
        app: 'istio-ingressgateway',
        istio: 'ingressgateway',
        'istio.io/rev': '1-22',
      },
    },
    spec: {
      ports: [
        { name: 'http2', port: 80, protocol: 'TCP', targetPort: 8080 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
      ],
      selector: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
      sessionAffinity: 'None',
      type: 'LoadBalancer',
    },
  });
  const route = [
    { destination: { host: 'web-stable' }, weight: 100 },
    { destination: { host: 'web-preview' }, weight: 0 },
  ];
  ensure(store, R.virtualservices, {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: {
      name: 'web',
      namespace: ns,
      labels: { [LABEL_BACKSTAGE_ID]: id },
    },
    spec: {
      gateways: ['istio-rollout-gateway'],
      hosts: ['rollout-demo.asm.com', 'asm-demo'],
      http: [{ route }],
      tcp: [{ route: structuredClone(route) }],
    },
  });
}

function canaryDelivery(
  name: string,
  analysis: Record<string, unknown>,
  hosts: string[],
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'asm.alauda.io/v1alpha1',
    kind: 'CanaryDelivery',
    metadata: {
      name,
      namespace: DEMO_NAMESPACES.flagger,
      labels: { [LABEL_BACKSTAGE_ID]: name },
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      service: {
        gateways: ['flagger-demo/istio-rollout-gateway', 'mesh'],
        hosts,
      },
      analysis,
      delivertype: 'canary',
      maxResponseTime: 500,
      minSuccessRate: 95,
      promoteControl: 'system',
      targetRef: { name },
      trafficControl: 'system',
    },
  };
}

/**
 * A CanaryDelivery whose last run promoted `promotedImage` (primary runs it, target scaled to zero), i.e. the state
 * Flagger leaves after a successful release; with `nextImage` the target then changes, which starts a run at once.
 */
function loadFlaggerApp(
  store: Store,
  cd: KubeObject,
  promotedImage: string,
  nextImage?: string,
) {
  const ns = DEMO_NAMESPACES.flagger;
  const name = cd.metadata.name;
  const storedCd = ensure(store, R.canarydeliveries, cd);
  if (storedCd.status?.phase) return; // already loaded
  const spec = parseCanarySpec(storedCd);
  const target = ensure(
    store,
    R.deployments,
    deployment(ns, name, name, 2, { app: name }, promotedImage, 'http', 8080),
  );
  ensure(store, R.services, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: ns,
      labels: { app: name, [LABEL_BACKSTAGE_ID]: name },
    },
    spec: {
      selector: { app: name },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
    },
  });
  ensure(store, R.deployments, primaryDeployment(storedCd, target, spec));
  const hash = podTemplateHash(target.spec?.template);
  const now = rfc3339(Date.now());
  store.modify(R.canarydeliveries, ns, name, current => {
    current.status = {
      phase: 'Succeeded',
      canaryWeight: 0,
      failedChecks: 0,
      iterations: 0,
      lastAppliedSpec: hash,
      lastPromotedSpec: hash,
      lastTransitionTime: now,
      conditions: [
        {
          type: 'Promoted',
          status: 'True',
          reason: 'Succeeded',
          message:
            'Canary analysis completed successfully, promotion finished.',
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
      ],
    };
  });
  store.modify(R.deployments, ns, name, d => {
    d.spec.replicas = 0;
    if (nextImage) d.spec.template.spec.containers[0].image = nextImage;
  });
}

function loadFlagger(store: Store) {
  const ns = DEMO_NAMESPACES.flagger;
  ensure(store, R.istioGateways, istioGateway(ns));
  const image = (colour: string) => `quay.io/codefresh/rollouts-demo:${colour}`;

  // canary-demo: the document's analysis (stepWeight 5 up to 50, threshold 10) with a 30s interval, so a run takes
  // about 5 simulated minutes; after each run the emulator releases the next colour 1 minute later, so the demo never
  // stays still (see docs/controllers.md).
  const canary = canaryDelivery(
    'canary-demo',
    { interval: '30s', maxWeight: 50, stepWeight: 5, threshold: 10 },
    ['canary-demo.asm.com', 'canary-demo.flagger-demo.svc.cluster.local'],
    { [ANNOTATION_AUTO_RELEASE]: '1m' },
  );
  loadFlaggerApp(store, canary, image('blue'), image('yellow'));
  const storedCanary = store.get(R.canarydeliveries, ns, 'canary-demo')!;
  loadHistory(store, storedCanary, [
    {
      startedAgoMs: 3 * DAY,
      fromImage: image('blue'),
      toImage: image('green'),
      outcome: 'promoted',
    },
    {
      startedAgoMs: 2 * DAY,
      fromImage: image('green'),
      toImage: image('bad-red'),
      outcome: 'failed',
    },
    {
      startedAgoMs: 1 * DAY + 3 * HOUR,
      fromImage: image('green'),
      toImage: image('blue'),
      outcome: 'promoted',
    },
  ]);

  // bluegreen-demo: the document's blue/green CanaryDelivery (stepWeight = maxWeight = 100), idle. Flagger's
  // blue/green: 10 iterations (the default without analysis.iterations) of 4m at weight 0, then all traffic to the
  // new version for one more interval and promotion; the rolled-back run was stopped during its 4th iteration.
  const bluegreen = canaryDelivery(
    'bluegreen-demo',
    { interval: '4m', maxWeight: 100, stepWeight: 100, threshold: 10 },
    ['bluegreen-demo.flagger-demo.svc.cluster.local', 'bluegreen-demo.asm.com'],
  );
  loadFlaggerApp(store, bluegreen, image('green'));
  const storedBluegreen = store.get(R.canarydeliveries, ns, 'bluegreen-demo')!;
  loadHistory(store, storedBluegreen, [
    {
      startedAgoMs: 5 * DAY,
      fromImage: image('blue'),
      toImage: image('yellow'),
      outcome: 'promoted',
    },
    {
      startedAgoMs: 3 * DAY + 5 * HOUR,
      fromImage: image('yellow'),
      toImage: image('orange'),
      outcome: 'rolled-back',
      stepsBeforeRollback: 3,
    },
    {
      startedAgoMs: 1 * DAY + 6 * HOUR,
      fromImage: image('yellow'),
      toImage: image('green'),
      outcome: 'promoted',
    },
  ]);
}

/** The product document's four chapters side by side, one namespace each. @public */
export function loadDemo(store: Store): void {
  loadBase(store);
  for (const ns of [...Object.values(DEMO_NAMESPACES), 'istio-system'])
    ensure(store, R.namespaces, namespace(ns));
  loadServiceSelector(store);
  loadGatewayApi(store);
  loadIstio(store);
  loadFlagger(store);
  loadPayments(store);
}
