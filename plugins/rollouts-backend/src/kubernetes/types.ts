/**
 * A Kubernetes resource type the plugin reads.
 * @public
 */
export interface KubeResource {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
}

/**
 * A Kubernetes object as plain JSON.
 * @public
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: { kind: string; name: string; uid?: string }[];
    [key: string]: unknown;
  };
  spec?: any;
  status?: any;
  [key: string]: any;
}

/**
 * Options of a list call. Selectors are built by the plugin from validated values only.
 * @public
 */
export interface KubeListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * The small, read-only Kubernetes client the strategies use: one per cluster. Every method
 * throws Backstage errors (NotFoundError, NotAllowedError, ServiceUnavailableError, InputError)
 * whose message names the cluster, namespace and object — never a raw client error.
 * @public
 */
export interface KubeClient {
  readonly cluster: string;
  get(
    resource: KubeResource,
    namespace: string,
    name: string,
  ): Promise<KubeObject>;
  list(
    resource: KubeResource,
    namespace: string,
    options?: KubeListOptions,
  ): Promise<KubeObject[]>;
}

/** The resource types the plugin uses. @public */
export const RESOURCES = {
  services: { group: '', version: 'v1', plural: 'services', kind: 'Service' },
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod' },
  events: { group: '', version: 'v1', plural: 'events', kind: 'Event' },
  endpoints: {
    group: '',
    version: 'v1',
    plural: 'endpoints',
    kind: 'Endpoints',
  },
  deployments: {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    kind: 'Deployment',
  },
  httpRoutes: {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    plural: 'httproutes',
    kind: 'HTTPRoute',
  },
  virtualServices: {
    group: 'networking.istio.io',
    version: 'v1',
    plural: 'virtualservices',
    kind: 'VirtualService',
  },
  destinationRules: {
    group: 'networking.istio.io',
    version: 'v1',
    plural: 'destinationrules',
    kind: 'DestinationRule',
  },
  canaryDeliveries: {
    group: 'asm.alauda.io',
    version: 'v1alpha1',
    plural: 'canarydeliveries',
    kind: 'CanaryDelivery',
  },
  canaryEvents: {
    group: 'asm.alauda.io',
    version: 'v1alpha1',
    plural: 'canaryevents',
    kind: 'CanaryEvent',
  },
} satisfies Record<string, KubeResource>;
