import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  RolloutEventsResponse,
  RolloutResponse,
} from '@kube-rollouts/plugin-rollouts-common';

/**
 * Options for {@link RolloutsApi.getRolloutEvents}.
 * @public
 */
export interface GetRolloutEventsOptions {
  /** The cluster to read the history from; required when the entity runs on several. */
  cluster?: string;
  /** Page size. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/**
 * The read-only client of the rollouts backend (`/api/rollouts`). Every method takes the entity's
 * ref (`component:default/web`) and throws a `ResponseError` with the backend's message on failure.
 * @public
 */
export interface RolloutsApi {
  /** The rollout of the entity on each of its clusters. */
  getRollout(entityRef: string): Promise<RolloutResponse>;
  /** The history, newest first, one page at a time. */
  getRolloutEvents(
    entityRef: string,
    options?: GetRolloutEventsOptions,
  ): Promise<RolloutEventsResponse>;
}

/**
 * The API reference of {@link RolloutsApi}.
 * @public
 */
export const rolloutsApiRef = createApiRef<RolloutsApi>().with({
  id: 'plugin.rollouts.client',
  pluginId: 'rollouts',
});
