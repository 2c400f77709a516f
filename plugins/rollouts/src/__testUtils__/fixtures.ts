import type { Entity } from '@backstage/catalog-model';
import type {
  RolloutEventsResponse,
  RolloutResponse,
  RolloutVersion,
  RolloutView,
} from '@kube-rollouts/plugin-rollouts-common';

/** Test data shaped like the backend's answers for the four demo services. */

export function makeEntity(
  name: string,
  annotations: Record<string, string> = {
    'kube-rollouts.io/strategy': 'service-selector',
  },
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-rollouts', lifecycle: 'production' },
  };
}

function version(
  role: 'stable' | 'canary',
  name: string,
  namespace: string,
  weight: number,
  image: string,
  ready = 2,
): RolloutVersion {
  return {
    role,
    name,
    workload: { kind: 'Deployment', name: `web-${name}`, namespace },
    images: [image],
    replicas: { desired: 2, ready, available: ready, updated: 2 },
    pods: [
      { name: `web-${name}-1`, ready: ready > 0, phase: 'Running' },
      { name: `web-${name}-2`, ready: ready > 1, phase: 'Running' },
    ],
    weight,
  };
}

export const serviceSelectorView: RolloutView = {
  cluster: 'local',
  namespace: 'service-selector',
  strategy: 'service-selector',
  mode: 'blue-green',
  phase: 'Stable',
  message: 'All traffic goes to version blue.',
  target: { kind: 'Service', name: 'web', namespace: 'service-selector' },
  versions: [
    version('stable', 'blue', 'service-selector', 100, 'hello:1.23.1'),
    version('canary', 'green', 'service-selector', 0, 'hello:1.23.2'),
  ],
  traffic: {
    weights: [
      { version: 'blue', role: 'stable', weight: 100 },
      { version: 'green', role: 'canary', weight: 0 },
    ],
    selector: { app: 'web', version: 'blue' },
    routedBy: { kind: 'Service', name: 'web', namespace: 'service-selector' },
  },
  revision: '101',
  observedAt: '2026-01-01T10:00:00Z',
};

export const gatewayApiView: RolloutView = {
  cluster: 'local',
  namespace: 'gateway-api',
  strategy: 'gateway-api',
  mode: 'canary',
  phase: 'Paused',
  message: 'The canary gets 20% of the traffic.',
  target: { kind: 'HTTPRoute', name: 'web', namespace: 'gateway-api' },
  versions: [
    version('stable', 'web-stable', 'gateway-api', 80, 'hello:1.23.1'),
    version('canary', 'web-canary', 'gateway-api', 20, 'hello:1.23.2'),
  ],
  traffic: {
    weights: [
      { version: 'web-stable', role: 'stable', weight: 80 },
      { version: 'web-canary', role: 'canary', weight: 20 },
    ],
    routedBy: { kind: 'HTTPRoute', name: 'web', namespace: 'gateway-api' },
  },
  revision: '202',
  gitOps: [
    {
      tool: 'Argo CD',
      object: { kind: 'HTTPRoute', name: 'web', namespace: 'gateway-api' },
      message:
        'Argo CD application web-app syncs this object; self-heal may revert a change made here.',
    },
  ],
  observedAt: '2026-01-01T10:00:00Z',
};

export const istioView: RolloutView = {
  ...gatewayApiView,
  namespace: 'istio',
  strategy: 'istio',
  phase: 'Stable',
  message: 'All traffic goes to web-stable.',
  target: { kind: 'VirtualService', name: 'web', namespace: 'istio' },
  versions: [
    version('stable', 'web-stable', 'istio', 100, 'hello:1.23.1'),
    version('canary', 'web-preview', 'istio', 0, 'hello:1.23.2'),
  ],
  traffic: {
    weights: [
      { version: 'web-stable', role: 'stable', weight: 100 },
      { version: 'web-preview', role: 'canary', weight: 0 },
    ],
    routedBy: { kind: 'VirtualService', name: 'web', namespace: 'istio' },
  },
  gitOps: undefined,
  revision: '303',
};

export const canaryDeliveryView: RolloutView = {
  cluster: 'local',
  namespace: 'flagger-demo',
  strategy: 'canary-delivery',
  mode: 'canary',
  phase: 'Progressing',
  message: 'Flagger is advancing the canary: 15% of 50%.',
  target: {
    kind: 'CanaryDelivery',
    name: 'canary-demo',
    namespace: 'flagger-demo',
  },
  versions: [
    version(
      'stable',
      'canary-demo-primary',
      'flagger-demo',
      85,
      'rollouts-demo:blue',
    ),
    version('canary', 'canary-demo', 'flagger-demo', 15, 'rollouts-demo:red'),
  ],
  traffic: {
    weights: [
      { version: 'canary-demo-primary', role: 'stable', weight: 85 },
      { version: 'canary-demo', role: 'canary', weight: 15 },
    ],
    routedBy: {
      kind: 'VirtualService',
      name: 'canary-demo',
      namespace: 'flagger-demo',
    },
  },
  analysis: {
    interval: '2m',
    intervalSeconds: 120,
    stepWeight: 5,
    maxWeight: 50,
    threshold: 10,
    failedChecks: 2,
    iterations: 3,
    canaryWeight: 15,
    minSuccessRate: 95,
    maxResponseTimeMs: 500,
    lastSuccessRate: 97.5,
    lastResponseTimeMs: 620,
    nextCheckAt: new Date(Date.now() + 75_000).toISOString(),
    flaggerPhase: 'Progressing',
  },
  revision: '404',
  observedAt: '2026-01-01T10:00:00Z',
};

export function responseOf(...rollouts: RolloutView[]): RolloutResponse {
  return {
    entityRef: 'component:default/web',
    rollouts,
    errors: [],
  };
}

export const emptyEvents: RolloutEventsResponse = {
  cluster: 'local',
  events: [],
};

export const canaryEvents: RolloutEventsResponse = {
  cluster: 'local',
  events: [
    {
      id: 'run-2',
      time: '2026-01-01T09:58:00Z',
      kind: 'run',
      type: 'Progressing',
      message: 'Advance canary-demo.flagger-demo canary weight 15',
      run: {
        revision: 'rollouts-demo:red',
        startTime: '2026-01-01T09:50:00Z',
        steps: [
          { time: '2026-01-01T09:52:00Z', weight: 5 },
          { time: '2026-01-01T09:54:00Z', weight: 10 },
          { time: '2026-01-01T09:56:00Z', weight: 15 },
        ],
        checks: [
          {
            time: '2026-01-01T09:56:00Z',
            weight: 15,
            successRate: 91,
            responseTimeMs: 620,
            passed: false,
            message: 'Halt advancement success rate 91.00% < 95%',
          },
        ],
      },
    },
    {
      id: 'run-1',
      time: '2026-01-01T09:40:00Z',
      kind: 'run',
      type: 'Succeeded',
      message: 'Promotion completed! Scaling down canary-demo.flagger-demo',
      run: {
        revision: 'rollouts-demo:blue',
        startTime: '2026-01-01T09:20:00Z',
        endTime: '2026-01-01T09:40:00Z',
        steps: [],
        checks: [],
      },
    },
  ],
  nextCursor: 'page-2',
};
