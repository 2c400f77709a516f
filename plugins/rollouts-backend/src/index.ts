/**
 * Kube Rollouts backend: the rollout state and history of catalog entities, read-only, for
 * service-selector, gateway-api, istio and canary-delivery traffic switching.
 *
 * @packageDocumentation
 */

export { rolloutsPlugin as default } from './plugin';
export { readRolloutsConfig } from './config';
export type {
  RolloutsConfig,
  RolloutClusterConfig,
  ClusterAuth,
} from './config';
