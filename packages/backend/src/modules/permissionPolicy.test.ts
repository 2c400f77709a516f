import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import { Entity } from '@backstage/catalog-model';
import { RolloutsPermissionPolicy } from './permissionPolicy';

// Defined here on purpose: the policy must work for any `rollouts.*` permission by its name,
// resource type and action, not only for the ones the plugin exports today.
const promote = createPermission({
  name: 'rollouts.rollout.promote',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});
const read = createPermission({
  name: 'rollouts.rollout.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});
const unrelatedUpdate = createPermission({
  name: 'catalog.entity.refresh',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});
const rolloutsBasic = createPermission({
  name: 'rollouts.settings.update',
  attributes: { action: 'update' },
});

function userOwning(...refs: string[]): PolicyQueryUser {
  return {
    info: { userEntityRef: 'user:default/guest', ownershipEntityRefs: refs },
  } as PolicyQueryUser;
}

function ownedBy(owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'web', namespace: 'default' },
    spec: { owner },
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

/** Evaluates a conditional decision on an entity with the catalog's own rules. */
function allows(decision: ConditionalPolicyDecision, entity: Entity): boolean {
  const condition = decision.conditions as {
    rule: string;
    params: Record<string, unknown>;
  };
  const rule = Object.values(permissionRules).find(
    r => r.name === condition.rule,
  );
  if (!rule) throw new Error(`unknown rule ${condition.rule}`);
  return rule.apply(entity, condition.params as any);
}

describe('RolloutsPermissionPolicy', () => {
  const policy = new RolloutsPermissionPolicy();

  it('allows the owner (through a group) to promote and denies a non-owner', async () => {
    const decision = (await policy.handle(
      { permission: promote },
      userOwning('user:default/guest', 'group:default/team-rollouts'),
    )) as ConditionalPolicyDecision;

    expect(allows(decision, ownedBy('group:default/team-rollouts'))).toBe(true);
    expect(allows(decision, ownedBy('group:default/team-payments'))).toBe(
      false,
    );
  });

  it('lets only owners act on a rollout: the decision is conditional on isEntityOwner', async () => {
    const decision = (await policy.handle(
      { permission: promote },
      userOwning('user:default/guest', 'group:default/team-rollouts'),
    )) as ConditionalPolicyDecision;

    expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
    expect(decision.pluginId).toBe('catalog');
    expect(decision.resourceType).toBe('catalog-entity');
    expect(decision.conditions).toEqual({
      rule: 'IS_ENTITY_OWNER',
      resourceType: 'catalog-entity',
      params: {
        claims: ['user:default/guest', 'group:default/team-rollouts'],
      },
    });
  });

  it('denies a user with no ownership claims on every entity (the condition has no claims)', async () => {
    const decision = (await policy.handle({
      permission: promote,
    })) as ConditionalPolicyDecision;

    expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
    expect(allows(decision, ownedBy('group:default/team-rollouts'))).toBe(
      false,
    );
  });

  it('allows reading a rollout to everyone', async () => {
    expect(await policy.handle({ permission: read }, userOwning())).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('leaves other permissions allowed as before', async () => {
    expect(
      await policy.handle({ permission: unrelatedUpdate }, userOwning()),
    ).toEqual({ result: AuthorizeResult.ALLOW });
    expect(
      await policy.handle({ permission: rolloutsBasic }, userOwning()),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
