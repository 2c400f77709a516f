import { screen } from '@testing-library/react';
import type { RolloutResponse } from '@kube-rollouts/plugin-rollouts-common';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  canaryDeliveryView,
  gatewayApiView,
  makeEntity,
  responseOf,
  serviceSelectorView,
} from '../../__testUtils__/fixtures';
import {
  mockRolloutsApi,
  renderWithEntity,
  renderWithView,
} from '../../__testUtils__/render';
import { RolloutsCard } from './RolloutsCard';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

describe('RolloutsCard', () => {
  it('shows strategy, phase and split, with a link to the tab', async () => {
    await renderWithView(<RolloutsCard />, serviceSelectorView, {
      entity: makeEntity('web'),
      mountedRoutes,
    });
    expect(
      await screen.findByText('Service selector · Blue-green'),
    ).toBeInTheDocument();
    expect(screen.getByText('Stable')).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'Traffic split: blue 100%, green 0%' }),
    ).toBeInTheDocument();
    expect(screen.getByText('blue')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Open rollout' })).toHaveAttribute(
      'href',
      '/catalog/default/component/web/rollouts',
    );
    // The card is compact: no selector chips, no routing details
    expect(screen.queryByText('version=blue')).not.toBeInTheDocument();
    expect(screen.queryByText(/Routed by/)).not.toBeInTheDocument();
  });

  it('shows a canary in progress', async () => {
    await renderWithView(<RolloutsCard />, canaryDeliveryView, {
      entity: makeEntity('canary-demo'),
      mountedRoutes,
    });
    expect(
      await screen.findByText('Canary delivery (Flagger) · Canary'),
    ).toBeInTheDocument();
    expect(screen.getByText('Progressing')).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Traffic split: canary-demo-primary 85%, canary-demo 15%',
      }),
    ).toBeInTheDocument();
  });

  it('says how many clusters the entity runs on', async () => {
    await renderWithEntity(<RolloutsCard />, {
      entity: makeEntity('web'),
      rolloutsApi: mockRolloutsApi({
        getRollout: jest
          .fn()
          .mockResolvedValue(
            responseOf(gatewayApiView, { ...gatewayApiView, cluster: 'eu' }),
          ),
      }),
      mountedRoutes,
    });
    expect(
      await screen.findByText(
        'Gateway API HTTPRoute weights · Canary · 2 clusters',
      ),
    ).toBeInTheDocument();
  });

  it('links to a tab mounted on another path', async () => {
    await renderWithView(<RolloutsCard tabPath="/deploys" />, gatewayApiView, {
      entity: makeEntity('web'),
      mountedRoutes,
    });
    expect(
      await screen.findByRole('link', { name: 'Open rollout' }),
    ).toHaveAttribute('href', '/catalog/default/component/web/deploys');
  });

  it('shows progress while loading', async () => {
    await renderWithEntity(<RolloutsCard />, {
      entity: makeEntity('web'),
      rolloutsApi: mockRolloutsApi({
        getRollout: jest.fn(
          (_entityRef: string) => new Promise<RolloutResponse>(() => {}),
        ),
      }),
      mountedRoutes,
    });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('says which annotation is missing without calling the backend', async () => {
    const rolloutsApi = mockRolloutsApi();
    await renderWithEntity(<RolloutsCard />, {
      entity: makeEntity('plain', {}),
      rolloutsApi,
      mountedRoutes,
    });
    expect(
      screen.getByText(
        "Add the annotation kube-rollouts.io/strategy to show this entity's rollout.",
      ),
    ).toBeInTheDocument();
    expect(rolloutsApi.getRollout).not.toHaveBeenCalled();
  });

  it('says why no rollout is shown when no cluster has one', async () => {
    await renderWithEntity(<RolloutsCard />, {
      entity: makeEntity('web'),
      rolloutsApi: mockRolloutsApi({
        getRollout: jest.fn().mockResolvedValue({
          ...responseOf(),
          errors: [
            {
              cluster: 'local',
              statusCode: 404,
              message: 'Service default/web not found',
            },
          ],
        }),
      }),
      mountedRoutes,
    });
    expect(
      await screen.findByText('Service default/web not found'),
    ).toBeInTheDocument();
  });

  it('shows the backend error message', async () => {
    const rolloutsApi = mockRolloutsApi({
      getRollout: jest
        .fn()
        .mockRejectedValue(new Error('No cluster named production')),
    });
    await renderWithEntity(<RolloutsCard />, {
      entity: makeEntity('web'),
      rolloutsApi,
      mountedRoutes,
    });
    expect(
      await screen.findByText('Error: No cluster named production'),
    ).toBeInTheDocument();
  });
});
