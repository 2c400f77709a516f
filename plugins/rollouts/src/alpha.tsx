import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { ANNOTATION_STRATEGY } from '@kube-rollouts/plugin-rollouts-common';
import { z } from 'zod';
import { RolloutsClient, rolloutsApiRef } from './api';
import { rootRouteRef } from './routes';

/** Only entities with a rollout get the tab and the card. */
const hasRollout = {
  [`metadata.annotations.${ANNOTATION_STRATEGY}`]: { $exists: true },
};

/**
 * The rollouts client.
 * @alpha
 */
export const rolloutsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: rolloutsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new RolloutsClient({ discoveryApi, fetchApi }),
    }),
});

/** The tab's path, which the card's links follow unless configured otherwise. */
const defaultTabPath = '/rollouts';

/**
 * The Rollouts tab, in the entity page's Deployment group beside Kubernetes.
 * @alpha
 */
export const rolloutsEntityContent = EntityContentBlueprint.make({
  name: 'rollouts',
  params: {
    path: defaultTabPath,
    title: 'Rollouts',
    group: 'deployment',
    routeRef: rootRouteRef,
    filter: hasRollout,
    loader: () =>
      import('./components/RolloutsContent').then(m => <m.RolloutsContent />),
  },
});

/**
 * The overview card: strategy, phase and traffic split, with a link to the Rollouts tab.
 * Its `tabPath` config follows a tab moved with the `path` config of
 * `entity-content:rollouts/rollouts`.
 * @alpha
 */
export const rolloutsEntityCard = EntityCardBlueprint.makeWithOverrides({
  name: 'rollouts',
  configSchema: {
    tabPath: z
      .string()
      .regex(
        /^\/?[\w.~/-]+$/,
        'expected a path below the entity page, such as /deploys (letters, digits and - . _ ~ /)',
      )
      // `..` or `.` would lead the card's links off the entity page, `//` to another host
      .refine(
        path =>
          path
            .replace(/^\//, '')
            .split('/')
            .every(segment => !['', '.', '..'].includes(segment)),
        "expected a path below the entity page, such as /deploys or /deploys/rollouts (segments joined by single slashes, none of them '.' or '..')",
      )
      .default(defaultTabPath)
      .describe(
        'The path of the Rollouts tab below the entity page: the path config of entity-content:rollouts/rollouts',
      ),
  },
  factory(originalFactory, { config }) {
    return originalFactory({
      type: 'content',
      filter: hasRollout,
      loader: () =>
        import('./components/RolloutsCard').then(m => (
          <m.RolloutsCard tabPath={config.tabPath} />
        )),
    });
  },
});

/**
 * Kube Rollouts for the new frontend system: the Rollouts tab (entity content in the
 * `deployment` group), the overview card and the API client. Installed by feature discovery or
 * with `features: [rolloutsPlugin]`.
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'rollouts',
  title: 'Rollouts',
  info: { packageJson: () => import('../package.json') },
  extensions: [rolloutsApi, rolloutsEntityContent, rolloutsEntityCard],
  routes: { entityContent: rootRouteRef },
});
