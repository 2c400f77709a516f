import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { RolloutsClient, rolloutsApiRef } from './api';
import { rootRouteRef } from './routes';

/**
 * The Kube Rollouts frontend plugin for the legacy frontend system. For the new frontend
 * system, use the default export of `@kube-rollouts/plugin-rollouts/alpha`.
 * @public
 */
export const rolloutsPlugin = createPlugin({
  id: 'rollouts',
  apis: [
    createApiFactory({
      api: rolloutsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new RolloutsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    entityContent: rootRouteRef,
  },
});

/**
 * The Rollouts tab: mount it in an `EntityLayout.Route` (path `/rollouts`), guarded by
 * `isRolloutsAvailable`.
 * @public
 */
export const EntityRolloutsContent = rolloutsPlugin.provide(
  createRoutableExtension({
    name: 'EntityRolloutsContent',
    component: () =>
      import('./components/RolloutsContent').then(m => m.RolloutsContent),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The overview card: strategy, phase and traffic split, with a link to the Rollouts tab.
 * @public
 */
export const EntityRolloutsCard = rolloutsPlugin.provide(
  createComponentExtension({
    name: 'EntityRolloutsCard',
    component: {
      lazy: () => import('./components/RolloutsCard').then(m => m.RolloutsCard),
    },
  }),
);
