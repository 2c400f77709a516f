import { rest } from 'msw';
import { setupServer } from 'msw/node';
import {
  mockApis,
  MockFetchApi,
  registerMswTestHooks,
} from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { RolloutsClient } from './RolloutsClient';
import { responseOf, serviceSelectorView } from '../__testUtils__/fixtures';

describe('RolloutsClient', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const client = new RolloutsClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage:7007' }),
    fetchApi: new MockFetchApi(),
  });
  const base =
    'http://backstage:7007/api/rollouts/entities/component/default/web/rollout';

  it('reads the rollout of an entity by its ref', async () => {
    server.use(
      rest.get(base, (_req, res, ctx) =>
        res(ctx.json(responseOf(serviceSelectorView))),
      ),
    );
    await expect(client.getRollout('component:default/web')).resolves.toEqual(
      responseOf(serviceSelectorView),
    );
  });

  it('asks for the first page of the history without a query', async () => {
    let search: string | undefined;
    server.use(
      rest.get(`${base}/events`, (req, res, ctx) => {
        search = req.url.search;
        return res(ctx.json({ cluster: 'local', events: [] }));
      }),
    );
    await expect(
      client.getRolloutEvents('component:default/web'),
    ).resolves.toEqual({ cluster: 'local', events: [] });
    expect(search).toBe('');
  });

  it('pages the history with cluster, limit and cursor', async () => {
    let query: URLSearchParams | undefined;
    server.use(
      rest.get(`${base}/events`, (req, res, ctx) => {
        query = req.url.searchParams;
        return res(ctx.json({ cluster: 'local', events: [] }));
      }),
    );
    await client.getRolloutEvents('component:default/web', {
      cluster: 'local',
      limit: 5,
      cursor: 'abc',
    });
    expect(query?.get('cluster')).toBe('local');
    expect(query?.get('limit')).toBe('5');
    expect(query?.get('cursor')).toBe('abc');
  });

  it('escapes the parts of the entity ref', async () => {
    let path = '';
    server.use(
      rest.get(
        'http://backstage:7007/api/rollouts/entities/:kind/:namespace/:name/rollout',
        (req, res, ctx) => {
          path = req.url.pathname;
          return res(ctx.json(responseOf()));
        },
      ),
    );
    await client.getRollout('component:team a/web#1');
    expect(path).toBe(
      '/api/rollouts/entities/component/team%20a/web%231/rollout',
    );
  });

  it('throws a ResponseError carrying the backend message', async () => {
    server.use(
      rest.get(base, (_req, res, ctx) =>
        res(
          ctx.status(403),
          ctx.json({
            error: { name: 'NotAllowedError', message: 'Unauthorized' },
            response: { statusCode: 403 },
          }),
        ),
      ),
    );
    const error = await client
      .getRollout('component:default/web')
      .catch(e => e);
    expect(ResponseError.is(error)).toBe(true);
    expect(error.statusCode).toBe(403);
    expect(error.cause.message).toBe('Unauthorized');
  });

  it('throws a ResponseError for a failed history page too', async () => {
    server.use(
      rest.get(`${base}/events`, (_req, res, ctx) =>
        res(
          ctx.status(503),
          ctx.json({
            error: {
              name: 'ServiceUnavailableError',
              message: 'Cluster local is unreachable',
            },
            response: { statusCode: 503 },
          }),
        ),
      ),
    );
    const error = await client
      .getRolloutEvents('component:default/web', { cluster: 'local' })
      .catch(e => e);
    expect(ResponseError.is(error)).toBe(true);
    expect(error.statusCode).toBe(503);
    expect(error.cause.message).toBe('Cluster local is unreachable');
  });
});
