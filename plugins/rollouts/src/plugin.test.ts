import {
  EntityRolloutsCard,
  EntityRolloutsContent,
  isRolloutsAvailable,
  rolloutsPlugin,
} from './index';
import { makeEntity } from './__testUtils__/fixtures';

describe('the legacy frontend system plugin', () => {
  it('is the plugin rollouts with its client', () => {
    expect(rolloutsPlugin.getId()).toBe('rollouts');
    expect(
      [...rolloutsPlugin.getApis()].map(factory => factory.api.id),
    ).toEqual(['plugin.rollouts.client']);
    expect(EntityRolloutsContent).toBeDefined();
    expect(EntityRolloutsCard).toBeDefined();
  });

  it('is available for entities with the strategy annotation', () => {
    expect(isRolloutsAvailable(makeEntity('web'))).toBe(true);
    expect(isRolloutsAvailable(makeEntity('plain', {}))).toBe(false);
  });
});
