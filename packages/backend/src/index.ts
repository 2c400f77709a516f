import { createBackend } from '@backstage/backend-defaults';
import { embeddedClusterPlugin } from './modules/embeddedCluster';
import { rolloutsPermissionPolicyModule } from './modules/permissionPolicy';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: the guest provider for development (https://backstage.io/docs/auth/guest/provider)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// scaffolder
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);

// permissions: our policy (see README, "Permissions") instead of allow-all
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(rolloutsPermissionPolicyModule);

// events: the event bus that catalog and signals subscribe through
backend.add(import('@backstage/plugin-events-backend'));

// the embedded default cluster (kubeEmulator in app-config.yaml), then kubernetes
backend.add(embeddedClusterPlugin);
backend.add(import('@backstage/plugin-kubernetes-backend'));
// Kube Rollouts: read-only rollout state and history per entity, at /api/rollouts
backend.add(import('@kube-rollouts/plugin-rollouts-backend'));

// user settings, notifications and signals
backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// MCP actions
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
