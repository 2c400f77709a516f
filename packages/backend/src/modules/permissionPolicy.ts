import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';

/**
 * The portal's permission policy.
 *
 * Every read is allowed. A permission named `rollouts.*` on a catalog entity whose action is not
 * `read` (promote, rollback, weight) is allowed only to the entity's owners: a conditional decision
 * with the catalog's `isEntityOwner` rule over the caller's ownership references (the user and the
 * groups the user is a member of). Everything else is allowed, as with the allow-all policy.
 *
 * @public
 */
export class RolloutsPermissionPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (
      permission.name.startsWith('rollouts.') &&
      isResourcePermission(permission, 'catalog-entity') &&
      permission.attributes.action !== 'read'
    ) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({
          claims: user?.info.ownershipEntityRefs ?? [],
        }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

/**
 * Installs {@link RolloutsPermissionPolicy} as the permission backend's policy.
 *
 * @public
 */
export const rolloutsPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'rollouts-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new RolloutsPermissionPolicy());
      },
    });
  },
});
