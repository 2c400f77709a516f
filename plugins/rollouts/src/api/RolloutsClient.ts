import { parseEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  RolloutEventsResponse,
  RolloutResponse,
} from '@kube-rollouts/plugin-rollouts-common';
import type { GetRolloutEventsOptions, RolloutsApi } from './RolloutsApi';

/**
 * The default {@link RolloutsApi}: calls the rollouts backend through the app's fetch API, so
 * the user's Backstage token goes with every request.
 * @public
 */
export class RolloutsClient implements RolloutsApi {
  readonly #discoveryApi: DiscoveryApi;
  readonly #fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.#discoveryApi = options.discoveryApi;
    this.#fetchApi = options.fetchApi;
  }

  async getRollout(entityRef: string): Promise<RolloutResponse> {
    return this.#request(entityRef, '');
  }

  async getRolloutEvents(
    entityRef: string,
    options: GetRolloutEventsOptions = {},
  ): Promise<RolloutEventsResponse> {
    const query = new URLSearchParams();
    if (options.cluster) query.set('cluster', options.cluster);
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.cursor) query.set('cursor', options.cursor);
    const search = query.toString();
    return this.#request(entityRef, `/events${search ? `?${search}` : ''}`);
  }

  async #request<T>(entityRef: string, subPath: string): Promise<T> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const baseUrl = await this.#discoveryApi.getBaseUrl('rollouts');
    const entityPath = [kind, namespace, name]
      .map(part => encodeURIComponent(part))
      .join('/');
    const url = `${baseUrl}/entities/${entityPath}/rollout${subPath}`;
    const response = await this.#fetchApi.fetch(url);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
