import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { rest } from 'msw';
import { setupServer } from 'msw/node';
import {
  mockApis,
  MockFetchApi,
  registerMswTestHooks,
} from '@backstage/test-utils';
import type { RolloutResponse } from '@kube-rollouts/plugin-rollouts-common';
import { RolloutsClient } from '../../api';
import {
  canaryDeliveryView,
  canaryEvents,
  emptyEvents,
  gatewayApiView,
  istioView,
  makeEntity,
  responseOf,
  serviceSelectorView,
} from '../../__testUtils__/fixtures';
import {
  mockRolloutsApi,
  renderWithEntity,
  renderWithView,
} from '../../__testUtils__/render';
import { RolloutsContent } from './RolloutsContent';

const entity = makeEntity('web', {
  'kube-rollouts.io/strategy': 'service-selector',
});
const base =
  'http://localhost:7007/api/rollouts/entities/component/default/web/rollout';

describe('RolloutsContent', () => {
  describe('with the real client against an HTTP backend', () => {
    const server = setupServer();
    registerMswTestHooks(server);
    const client = new RolloutsClient({
      discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
      fetchApi: new MockFetchApi(),
    });

    const backendError = (statusCode: number, name: string, message: string) =>
      server.use(
        rest.get(base, (_req, res, ctx) =>
          res(
            ctx.status(statusCode),
            ctx.json({
              error: { name, message },
              response: { statusCode },
            }),
          ),
        ),
      );

    it('shows the backend error with its message', async () => {
      backendError(
        503,
        'ServiceUnavailableError',
        'cluster embedded is unreachable: connect ECONNREFUSED 127.0.0.1:6443',
      );
      await renderWithEntity(<RolloutsContent />, {
        entity,
        rolloutsApi: client,
      });
      expect(
        await screen.findByText(
          'Error: cluster embedded is unreachable: connect ECONNREFUSED 127.0.0.1:6443',
        ),
      ).toBeInTheDocument();
    });

    it('turns an annotation the backend refuses into the empty state with an example', async () => {
      backendError(
        400,
        'InputError',
        "annotation kube-rollouts.io/cluster names cluster 'prod', which is not configured — expected one of embedded",
      );
      const { container } = await renderWithEntity(<RolloutsContent />, {
        entity,
        rolloutsApi: client,
      });
      expect(
        await screen.findByText(
          'Annotation kube-rollouts.io/cluster needs a change',
        ),
      ).toBeInTheDocument();
      expect(
        screen.getByText(
          "annotation kube-rollouts.io/cluster names cluster 'prod', which is not configured — expected one of embedded",
        ),
      ).toBeInTheDocument();
      expect(container.textContent).toContain(
        'kube-rollouts.io/strategy: gateway-api',
      );
    });

    it('reads the rollout and its history from the backend and shows them', async () => {
      const paths: string[] = [];
      server.use(
        rest.get(base, (req, res, ctx) => {
          paths.push(req.url.pathname);
          return res(ctx.json(responseOf(serviceSelectorView)));
        }),
        rest.get(`${base}/events`, (req, res, ctx) => {
          paths.push(`${req.url.pathname}${req.url.search}`);
          return res(ctx.json(emptyEvents));
        }),
      );
      await renderWithEntity(<RolloutsContent />, {
        entity,
        rolloutsApi: client,
      });
      expect(await screen.findByText('version blue')).toBeInTheDocument();
      expect(
        await screen.findByText('Nothing has happened to this rollout yet.'),
      ).toBeInTheDocument();
      expect(paths).toEqual([
        '/api/rollouts/entities/component/default/web/rollout',
        '/api/rollouts/entities/component/default/web/rollout/events?cluster=local&limit=10',
      ]);
    });
  });

  it('shows progress while loading', async () => {
    const rolloutsApi = mockRolloutsApi({
      getRollout: jest.fn(
        (_entityRef: string) => new Promise<RolloutResponse>(() => {}),
      ),
    });
    await renderWithEntity(<RolloutsContent />, { entity, rolloutsApi });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('names the missing annotation and shows an example', async () => {
    const rolloutsApi = mockRolloutsApi();
    const { container } = await renderWithEntity(<RolloutsContent />, {
      entity: makeEntity('plain', {}),
      rolloutsApi,
    });
    expect(
      screen.getByText('Missing annotation kube-rollouts.io/strategy'),
    ).toBeInTheDocument();
    expect(container.textContent).toContain(
      'kube-rollouts.io/strategy: gateway-api',
    );
    expect(rolloutsApi.getRollout).not.toHaveBeenCalled();
  });

  it('names a wrong annotation value and the expected ones', async () => {
    const rolloutsApi = mockRolloutsApi();
    await renderWithEntity(<RolloutsContent />, {
      entity: makeEntity('web', { 'kube-rollouts.io/strategy': 'blue' }),
      rolloutsApi,
    });
    expect(
      screen.getByText(
        "Annotation kube-rollouts.io/strategy has value 'blue' — expected one of service-selector, gateway-api, istio, canary-delivery.",
      ),
    ).toBeInTheDocument();
  });

  it('shows a service-selector rollout: the selected version and the versions side by side', async () => {
    await renderWithView(<RolloutsContent />, serviceSelectorView, { entity });
    expect(await screen.findByText('Service selector')).toBeInTheDocument();
    expect(screen.getByText('Blue-green')).toBeInTheDocument();
    expect(screen.getByText('service-selector')).toBeInTheDocument();
    expect(screen.getByText('version blue')).toBeInTheDocument();
    expect(screen.getByText('version=blue')).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'Traffic split: blue 100%, green 0%' }),
    ).toBeInTheDocument();
    const blue = screen.getByRole('region', { name: 'Version blue' });
    expect(within(blue).getByText('hello:1.23.1')).toBeInTheDocument();
    expect(
      within(blue).getByText('2 of 2 ready (2 available, 2 updated)'),
    ).toBeInTheDocument();
    const green = screen.getByRole('region', { name: 'Version green' });
    expect(within(green).getByText('hello:1.23.2')).toBeInTheDocument();
  });

  it('shows a gateway-api canary: the split, the routing object and the GitOps warning', async () => {
    await renderWithView(<RolloutsContent />, gatewayApiView, { entity });
    expect(
      await screen.findByText('Gateway API HTTPRoute weights'),
    ).toBeInTheDocument();
    const summary = screen.getByRole('region', { name: 'Rollout summary' });
    expect(within(summary).getByText('Canary')).toBeInTheDocument();
    expect(within(summary).getByText('Paused')).toBeInTheDocument();
    expect(within(summary).getByText('HTTPRoute web')).toBeInTheDocument();
    expect(
      within(summary).getByText('The canary gets 20% of the traffic.'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Traffic split: web-stable 80%, web-canary 20%',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Routed by HTTPRoute gateway-api/web'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Warning: HTTPRoute web is managed by Argo CD'),
    ).toBeInTheDocument();
    expect(
      within(
        screen.getByRole('region', { name: 'Version web-canary' }),
      ).getByText('20% of traffic'),
    ).toBeInTheDocument();
    // A split between two versions is no Service selector
    expect(screen.queryByText(/selects/)).not.toBeInTheDocument();
  });

  it('shows an istio rollout with the VirtualService as the router', async () => {
    await renderWithView(<RolloutsContent />, istioView, { entity });
    expect(
      await screen.findByText('Istio VirtualService weights'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Routed by VirtualService istio/web'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: 'Traffic split: web-stable 100%, web-preview 0%',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('region', { name: 'Version web-preview' }),
    ).toHaveTextContent('hello:1.23.2');
    expect(screen.queryByText(/is managed by/)).not.toBeInTheDocument();
    expect(
      screen.queryByRole('region', { name: 'Canary analysis' }),
    ).not.toBeInTheDocument();
  });

  it('shows a canary-delivery analysis and its history', async () => {
    const rolloutsApi = await renderWithView(
      <RolloutsContent />,
      canaryDeliveryView,
      {
        entity,
        methods: {
          getRolloutEvents: jest
            .fn()
            .mockResolvedValueOnce(canaryEvents)
            .mockResolvedValueOnce({
              cluster: 'local',
              events: [
                {
                  id: 'old',
                  time: '2025-12-01T09:00:00Z',
                  kind: 'kubernetes-event',
                  type: 'Normal',
                  reason: 'Synced',
                  message:
                    'New revision detected! Scaling up canary-demo.flagger-demo',
                },
              ],
            }),
        },
      },
    );
    const analysis = await screen.findByRole('region', {
      name: 'Canary analysis',
    });
    expect(
      within(analysis).getByText('Canary weight 15% of 50% in steps of 5%'),
    ).toBeInTheDocument();
    expect(within(analysis).getByText('2 of 10 allowed')).toBeInTheDocument();
    expect(within(analysis).getByText('97.5%')).toBeInTheDocument();
    expect(within(analysis).getByText('(min 95%)')).toBeInTheDocument();
    expect(within(analysis).getByText('620 ms')).toBeInTheDocument();
    expect(within(analysis).getByText('outside threshold')).toBeInTheDocument();
    expect(within(analysis).getByText('within threshold')).toBeInTheDocument();
    expect(within(analysis).getByText(/^in 1m \d\ds$/)).toBeInTheDocument();
    expect(within(analysis).getByText('3')).toBeInTheDocument();

    // History: newest first, a run expands to its steps and checks
    const history = screen.getByRole('region', { name: 'History' });
    expect(
      await within(history).findByText(
        'Advance canary-demo.flagger-demo canary weight 15',
      ),
    ).toBeInTheDocument();
    // Newest first
    const messages = within(history)
      .getAllByRole('row')
      .map(row => row.textContent ?? '')
      .filter(text => /canary weight 15|Promotion completed/.test(text));
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('canary weight 15');
    expect(messages[1]).toContain('Promotion completed');
    expect(
      within(history).queryByText('Halt advancement success rate 91.00% < 95%'),
    ).not.toBeInTheDocument();
    const [newestRun] = within(history).getAllByRole('button', {
      name: 'Show steps and checks',
    });
    await userEvent.click(newestRun);
    const checks = within(history).getByRole('table', { name: 'Checks' });
    expect(
      within(checks).getByText('Halt advancement success rate 91.00% < 95%'),
    ).toBeInTheDocument();
    expect(within(checks).getByText('failed')).toBeInTheDocument();

    await userEvent.click(
      within(history).getByRole('button', { name: 'Older' }),
    );
    expect(
      await within(history).findByText(
        'New revision detected! Scaling up canary-demo.flagger-demo',
      ),
    ).toBeInTheDocument();
    expect(
      within(history).queryByText(
        'Advance canary-demo.flagger-demo canary weight 15',
      ),
    ).not.toBeInTheDocument();
    expect(rolloutsApi.getRolloutEvents).toHaveBeenLastCalledWith(
      'component:default/web',
      { cluster: 'local', limit: 10, cursor: 'page-2' },
    );
    expect(within(history).getByText('Page 2')).toBeInTheDocument();
  });

  it('offers a cluster selector when the entity runs on several, and names clusters that failed', async () => {
    const rolloutsApi = mockRolloutsApi({
      getRollout: jest.fn().mockResolvedValue({
        ...responseOf(serviceSelectorView, {
          ...serviceSelectorView,
          cluster: 'eu-west',
          phase: 'Promoted',
        }),
        errors: [
          {
            cluster: 'us-east',
            statusCode: 503,
            message: 'Cluster us-east is unreachable: connect ECONNREFUSED',
          },
        ],
      }),
    });
    await renderWithEntity(<RolloutsContent />, { entity, rolloutsApi });
    expect(
      await screen.findByText('Error: Cluster us-east: cannot be read'),
    ).toBeInTheDocument();
    const summary = screen.getByRole('region', { name: 'Rollout summary' });
    expect(within(summary).getByText('Stable')).toBeInTheDocument();
    await userEvent.click(
      within(summary).getByRole('button', { name: /Cluster/ }),
    );
    await userEvent.click(
      await screen.findByRole('option', { name: 'eu-west' }),
    );
    expect(await within(summary).findByText('Promoted')).toBeInTheDocument();
    // The history follows the cluster in view
    await waitFor(() =>
      expect(rolloutsApi.getRolloutEvents).toHaveBeenLastCalledWith(
        'component:default/web',
        { cluster: 'eu-west', limit: 10, cursor: undefined },
      ),
    );
  });

  it('shows only the cluster value, without a selector, for one cluster', async () => {
    await renderWithView(<RolloutsContent />, serviceSelectorView, { entity });
    const summary = await screen.findByRole('region', {
      name: 'Rollout summary',
    });
    expect(within(summary).getByText('local')).toBeInTheDocument();
    expect(
      within(summary).queryByRole('button', { name: /Cluster/ }),
    ).not.toBeInTheDocument();
  });

  it('says where no rollout was found when no cluster has one', async () => {
    await renderWithEntity(<RolloutsContent />, {
      entity,
      rolloutsApi: mockRolloutsApi({
        getRollout: jest.fn().mockResolvedValue({
          ...responseOf(),
          errors: [
            {
              cluster: 'local',
              statusCode: 404,
              message: 'Service service-selector/web not found',
            },
          ],
        }),
      }),
    });
    expect(
      await screen.findByText(/Cluster local: no rollout found/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Service service-selector/web not found'),
    ).toBeInTheDocument();
  });

  describe('live', () => {
    const pollIntervals = { activeMs: 1_000, idleMs: 5_000 };
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('follows the rollout without a reload and without blanking the page', async () => {
      const promoted = {
        ...serviceSelectorView,
        phase: 'Promoted' as const,
        traffic: {
          ...serviceSelectorView.traffic,
          weights: [
            { version: 'blue', role: 'stable' as const, weight: 0 },
            { version: 'green', role: 'canary' as const, weight: 100 },
          ],
          selector: { app: 'web', version: 'green' },
        },
        revision: '102',
      };
      const rolloutsApi = mockRolloutsApi({
        getRollout: jest
          .fn()
          .mockResolvedValueOnce(responseOf(serviceSelectorView))
          .mockResolvedValue(responseOf(promoted)),
      });
      await renderWithEntity(
        <RolloutsContent pollIntervals={pollIntervals} />,
        { entity, rolloutsApi },
      );
      expect(await screen.findByText('version blue')).toBeInTheDocument();
      expect(rolloutsApi.getRolloutEvents).toHaveBeenCalledTimes(1);

      // Stable: nothing before the idle interval
      await act(() => jest.advanceTimersByTimeAsync(4_000));
      expect(rolloutsApi.getRollout).toHaveBeenCalledTimes(1);
      await act(() => jest.advanceTimersByTimeAsync(1_000));
      expect(await screen.findByText('version green')).toBeInTheDocument();
      expect(rolloutsApi.getRollout).toHaveBeenCalledTimes(2);
      expect(
        screen.getByRole('img', {
          name: 'Traffic split: blue 0%, green 100%',
        }),
      ).toBeInTheDocument();
      expect(screen.queryByTestId('progress')).not.toBeInTheDocument();
      // The rollout moved: the history is read again
      await waitFor(() =>
        expect(rolloutsApi.getRolloutEvents).toHaveBeenCalledTimes(2),
      );
    });

    it('polls fast while the rollout progresses', async () => {
      const rolloutsApi = mockRolloutsApi({
        getRollout: jest.fn().mockResolvedValue(responseOf(canaryDeliveryView)),
      });
      await renderWithEntity(
        <RolloutsContent pollIntervals={pollIntervals} />,
        { entity, rolloutsApi },
      );
      await screen.findByRole('region', { name: 'Canary analysis' });
      await act(() => jest.advanceTimersByTimeAsync(3_000));
      expect(rolloutsApi.getRollout).toHaveBeenCalledTimes(4);
    });

    it('keeps the view and warns when a refresh fails', async () => {
      const rolloutsApi = mockRolloutsApi({
        getRollout: jest
          .fn()
          .mockResolvedValueOnce(responseOf(serviceSelectorView))
          .mockRejectedValue(new Error('Backend unavailable')),
      });
      await renderWithEntity(
        <RolloutsContent pollIntervals={pollIntervals} />,
        { entity, rolloutsApi },
      );
      await screen.findByText('version blue');
      await act(() => jest.advanceTimersByTimeAsync(5_000));
      expect(
        await screen.findByText(
          'Warning: Showing the last known state: the latest refresh failed',
        ),
      ).toBeInTheDocument();
      expect(screen.getByText('Backend unavailable')).toBeInTheDocument();
      expect(screen.getByText('version blue')).toBeInTheDocument();
    });
  });
});
