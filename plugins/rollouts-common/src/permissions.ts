import {
  createPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * Read a catalog entity's rollout: state and history.
 * @public
 */
export const rolloutReadPermission: ResourcePermission<'catalog-entity'> =
  createPermission({
    name: 'rollouts.rollout.read',
    attributes: { action: 'read' },
    resourceType: 'catalog-entity',
  });

/**
 * Every permission of the rollouts plugin.
 * @public
 */
export const rolloutsPermissions = [rolloutReadPermission];
