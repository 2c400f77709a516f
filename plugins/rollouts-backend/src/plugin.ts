import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { rolloutsPermissions } from '@kube-rollouts/plugin-rollouts-common';
import { readRolloutsConfig } from './config';
import { ConfiguredKubeClientProvider } from './kubernetes';
import { createRouter } from './router';
import { RolloutService } from './service/RolloutService';

/**
 * The Kube Rollouts backend plugin (pluginId `rollouts`), mounted at `/api/rollouts`: reads the
 * rollout state and history of catalog entities. It changes nothing in the clusters.
 * @public
 */
export const rolloutsPlugin = createBackendPlugin({
  pluginId: 'rollouts',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        const config = readRolloutsConfig(deps.config);
        for (const type of config.unsupportedLocatorTypes) {
          deps.logger.warn(
            `kubernetes.clusterLocatorMethods of type '${type}' are not supported by Kube Rollouts yet; only type: config clusters are used`,
          );
        }
        for (const cluster of config.clusters) {
          if (cluster.unsupportedReason)
            deps.logger.warn(cluster.unsupportedReason);
        }
        deps.logger.info(
          `Kube Rollouts clusters: ${
            config.clusters.map(c => c.name).join(', ') ||
            '(none: add one under kubernetes.clusterLocatorMethods, type: config)'
          }`,
        );

        deps.permissionsRegistry.addPermissions(rolloutsPermissions);
        const service = new RolloutService({
          config,
          kube: new ConfiguredKubeClientProvider(config),
          catalog: deps.catalog,
          permissions: deps.permissions,
        });
        deps.httpRouter.use(
          await createRouter({ httpAuth: deps.httpAuth, service }),
        );
      },
    });
  },
});
