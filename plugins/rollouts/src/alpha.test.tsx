import { screen } from '@testing-library/react';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { TestApiProvider } from '@backstage/test-utils';
import rolloutsPlugin, {
  rolloutsEntityCard,
  rolloutsEntityContent,
} from './alpha';
import { rolloutsApiRef } from './api';
import {
  gatewayApiView,
  makeEntity,
  responseOf,
  serviceSelectorView,
} from './__testUtils__/fixtures';
import { mockRolloutsApi } from './__testUtils__/render';

const withRollout = makeEntity('web');
const withoutRollout = makeEntity('plain', {});

describe('the new frontend system plugin', () => {
  it('is the frontend plugin rollouts with the tab, the card and the client', () => {
    expect(rolloutsPlugin.$$type).toBe('@backstage/FrontendPlugin');
    expect(rolloutsPlugin.pluginId).toBe('rollouts');
    expect(
      rolloutsPlugin.getExtension('entity-content:rollouts/rollouts'),
    ).toBeDefined();
    expect(
      rolloutsPlugin.getExtension('entity-card:rollouts/rollouts'),
    ).toBeDefined();
    expect(rolloutsPlugin.getExtension('api:rollouts')).toBeDefined();
  });

  it('puts the tab in the deployment group at /rollouts, for entities with a strategy only', () => {
    const tester = createExtensionTester(rolloutsEntityContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('/rollouts');
    expect(tester.get(EntityContentBlueprint.dataRefs.group)).toBe(
      'deployment',
    );
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Rollouts');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter?.(withRollout)).toBe(true);
    expect(filter?.(withoutRollout)).toBe(false);
  });

  it('shows the card for entities with a strategy only', () => {
    const tester = createExtensionTester(rolloutsEntityCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
    expect(filter?.(withRollout)).toBe(true);
    expect(filter?.(withoutRollout)).toBe(false);
  });

  it('renders the tab for the entity in context', async () => {
    const rolloutsApi = mockRolloutsApi({
      getRollout: jest.fn().mockResolvedValue(responseOf(serviceSelectorView)),
    });
    const element = createExtensionTester(rolloutsEntityContent).get(
      coreExtensionData.reactElement,
    );
    renderInTestApp(
      <TestApiProvider apis={[[rolloutsApiRef, rolloutsApi]]}>
        <EntityProvider entity={withRollout}>{element}</EntityProvider>
      </TestApiProvider>,
    );
    expect(await screen.findByText('Service selector')).toBeInTheDocument();
  });

  describe("the card's links follow the tab", () => {
    const renderCard = (config?: { tabPath?: string }) => {
      const rolloutsApi = mockRolloutsApi({
        getRollout: jest.fn().mockResolvedValue(responseOf(gatewayApiView)),
      });
      const element = createExtensionTester(rolloutsEntityCard, {
        config,
      }).reactElement();
      renderInTestApp(
        <TestApiProvider apis={[[rolloutsApiRef, rolloutsApi]]}>
          <EntityProvider entity={withRollout}>{element}</EntityProvider>
        </TestApiProvider>,
        {
          mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
        },
      );
    };

    it.each([
      {
        tabPath: undefined,
        tab: 'rollouts',
        why: 'the path of the tab by default',
      },
      {
        tabPath: '/deploys',
        tab: 'deploys',
        why: 'a tab moved with its path config',
      },
      {
        tabPath: 'deploys/rollouts',
        tab: 'deploys/rollouts',
        why: 'a tab nested deeper',
      },
    ])('to /$tab: $why', async ({ tabPath, tab }) => {
      renderCard(tabPath === undefined ? undefined : { tabPath });
      const tabUrl = `/catalog/default/component/web/${tab}`;
      expect(
        await screen.findByRole('link', { name: 'Open rollout' }),
      ).toHaveAttribute('href', tabUrl);
    });

    const notAPath =
      'expected a path below the entity page, such as /deploys (letters, digits and - . _ ~ /)';
    const leavesTheEntityPage =
      "expected a path below the entity page, such as /deploys or /deploys/rollouts (segments joined by single slashes, none of them '.' or '..')";
    it.each([
      ['deploys?tab=1', notAPath],
      ['..', leavesTheEntityPage],
      ['../../settings', leavesTheEntityPage],
      ['/deploys/../../../settings', leavesTheEntityPage],
      ['./deploys', leavesTheEntityPage],
      ['/deploys/.', leavesTheEntityPage],
      ['//evil.example/deploys', leavesTheEntityPage],
      ['deploys//rollouts', leavesTheEntityPage],
      ['deploys/', leavesTheEntityPage],
      ['/', leavesTheEntityPage],
    ])(
      'refuses the tabPath %s, whose links would not stay below the entity page',
      (tabPath, message) => {
        expect(() =>
          createExtensionTester(rolloutsEntityCard, {
            config: { tabPath },
          }).reactElement(),
        ).toThrow(`${message} at 'tabPath'`);
      },
    );
  });
});
