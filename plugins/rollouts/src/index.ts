/**
 * Kube Rollouts: watch a service's blue-green and canary rollouts from its catalog page (the
 * live traffic split, the versions, the canary analysis and the history; read-only). This entry
 * point is the legacy frontend system; the new frontend system is at
 * `@kube-rollouts/plugin-rollouts/alpha`.
 *
 * @packageDocumentation
 */

export {
  rolloutsPlugin,
  EntityRolloutsContent,
  EntityRolloutsCard,
} from './plugin';
export { isRolloutsAvailable } from './utils/annotations';
export { rolloutsApiRef, RolloutsClient } from './api';
export type { RolloutsApi, GetRolloutEventsOptions } from './api';
export type { RolloutsContentProps } from './components/RolloutsContent';
export type { RolloutsCardProps } from './components/RolloutsCard';
export type { RolloutPollIntervals } from './hooks';
