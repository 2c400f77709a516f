import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
/**
 * Catalog entity annotations that tell Kube Rollouts where a service's rollout lives and how its
 * traffic is switched. Only `kube-rollouts.io/strategy` is required.
 */

/**
 * Required. How traffic moves between versions: one of {@link ROLLOUT_STRATEGIES}.
 * @public
 */
export const ANNOTATION_STRATEGY = 'kube-rollouts.io/strategy';

/**
 * The object that decides the traffic: the Service (service-selector), the HTTPRoute
 * (gateway-api), the VirtualService (istio) or the CanaryDelivery (canary-delivery).
 * Default: the value of `backstage.io/kubernetes-id`, else the entity's name.
 * @public
 */
export const ANNOTATION_TARGET = 'kube-rollouts.io/target';

/**
 * A cluster name, or several separated by commas (one rollout per cluster).
 * Default: `backstage.io/kubernetes-cluster`, else the only configured cluster.
 * @public
 */
export const ANNOTATION_CLUSTER = 'kube-rollouts.io/cluster';

/**
 * The namespace of the target. Default: `backstage.io/kubernetes-namespace`, else `default`.
 * @public
 */
export const ANNOTATION_NAMESPACE = 'kube-rollouts.io/namespace';

/**
 * `blue-green` or `canary`, for gateway-api and istio. Blue-green allows only the weights 0 and 100.
 * Default: canary.
 * @public
 */
export const ANNOTATION_MODE = 'kube-rollouts.io/mode';

/**
 * service-selector: the pod label whose value names the version. Default `version`.
 * @public
 */
export const ANNOTATION_VERSION_LABEL = 'kube-rollouts.io/version-label';

/**
 * gateway-api and istio: the backend (Service name, or VirtualService destination host/subset)
 * that serves the stable version, when it cannot be inferred.
 * @public
 */
export const ANNOTATION_STABLE = 'kube-rollouts.io/stable';

/**
 * gateway-api and istio: the backend that serves the new (canary) version, when it cannot be inferred.
 * @public
 */
export const ANNOTATION_CANARY = 'kube-rollouts.io/canary';

/**
 * The standard Backstage Kubernetes annotations Kube Rollouts falls back on (the id from
 * `@backstage/plugin-kubernetes-common`, which does not export the other two).
 * @public
 */
export const ANNOTATION_KUBERNETES_ID: typeof KUBERNETES_ANNOTATION =
  KUBERNETES_ANNOTATION;
/** @public */
export const ANNOTATION_KUBERNETES_NAMESPACE =
  'backstage.io/kubernetes-namespace';
/** @public */
export const ANNOTATION_KUBERNETES_CLUSTER = 'backstage.io/kubernetes-cluster';

/** The traffic-switching mechanisms. @public */
export const ROLLOUT_STRATEGIES = [
  'service-selector',
  'gateway-api',
  'istio',
  'canary-delivery',
] as const;

/** @public */
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

/** @public */
export const ROLLOUT_MODES = ['blue-green', 'canary'] as const;

/** @public */
export type RolloutMode = (typeof ROLLOUT_MODES)[number];
