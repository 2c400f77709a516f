import type { ReactNode } from 'react';
import type { Entity } from '@backstage/catalog-model';
import {
  renderInTestApp,
  TestApiProvider,
  type TestAppOptions,
} from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { RolloutView } from '@kube-rollouts/plugin-rollouts-common';
import { rolloutsApiRef, type RolloutsApi } from '../api';
import { responseOf } from './fixtures';

/** A RolloutsApi whose every method is a jest mock; the history is empty unless overridden. */
export function mockRolloutsApi(
  overrides: Partial<jest.Mocked<RolloutsApi>> = {},
): jest.Mocked<RolloutsApi> {
  return {
    getRollout: jest.fn(),
    getRolloutEvents: jest
      .fn()
      .mockResolvedValue({ cluster: 'local', events: [] }),
    ...overrides,
  };
}

export interface RenderOptions {
  entity: Entity;
  rolloutsApi: RolloutsApi;
  mountedRoutes?: TestAppOptions['mountedRoutes'];
}

/** Renders an element in a test app, in the context of an entity, with the plugin's API. */
export function renderWithEntity(element: ReactNode, options: RenderOptions) {
  return renderInTestApp(
    <TestApiProvider apis={[[rolloutsApiRef, options.rolloutsApi]]}>
      <EntityProvider entity={options.entity}>{element}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: options.mountedRoutes },
  );
}

/**
 * Renders an element for an entity whose rollout the backend reads as `view`; `methods` are the
 * other methods of the mocked RolloutsApi. Returns the mock, for asserting its calls.
 */
export async function renderWithView(
  element: ReactNode,
  view: RolloutView,
  options: Omit<RenderOptions, 'rolloutsApi'> & {
    methods?: Partial<jest.Mocked<RolloutsApi>>;
  },
): Promise<jest.Mocked<RolloutsApi>> {
  const { methods, ...renderOptions } = options;
  const rolloutsApi = mockRolloutsApi({
    getRollout: jest.fn().mockResolvedValue(responseOf(view)),
    ...methods,
  });
  await renderWithEntity(element, { ...renderOptions, rolloutsApi });
  return rolloutsApi;
}
