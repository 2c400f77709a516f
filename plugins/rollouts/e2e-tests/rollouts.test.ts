import { expect, test, type Page } from '@playwright/test';
import {
  canaryDelivery,
  canaryEvents,
  canaryStatus,
  deploymentImages,
  deploymentReplicas,
  httpRouteWeights,
  selectVersion,
  serviceSelector,
  setHttpRouteWeights,
  setVirtualServiceWeights,
  virtualServiceWeights,
} from './cluster';

/**
 * For each demo service: open its Rollouts tab and compare what it shows with the cluster, read
 * with kubectl. Then move the traffic in the cluster with kubectl, as a person or a GitOps tool
 * would outside the portal, and see the tab follow without a reload. The tab only reads.
 */

const screenshot = (page: Page, name: string) =>
  page.screenshot({
    path: `e2e-screenshots/rollouts-${name}.png`,
    fullPage: true,
  });

async function signIn(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/** Opens the Rollouts tab of a Component of the default namespace. */
async function openRolloutsTab(page: Page, entityName: string) {
  await signIn(page);
  await page.goto(`/catalog/default/component/${entityName}/rollouts`);
  await expect(
    page.getByRole('region', { name: 'Rollout summary' }),
  ).toBeVisible();
}

/**
 * Marks the loaded page; `expectNotReloaded` fails once the browser loaded another document, so a
 * change the tab shows afterwards came from its own refresh.
 */
async function markPage(page: Page) {
  await page.evaluate(() => {
    (window as any).__rolloutsE2eMark = true;
  });
}
async function expectNotReloaded(page: Page) {
  expect(
    await page.evaluate(() => Boolean((window as any).__rolloutsE2eMark)),
  ).toBe(true);
}

/** The split the page shows, as version → weight, read from the traffic bar's label. */
async function shownWeights(page: Page): Promise<Record<string, number>> {
  const label = await page
    .getByRole('region', { name: 'Traffic' })
    .getByRole('img')
    .getAttribute('aria-label');
  const entries = (label ?? '')
    .replace(/^Traffic split: /, '')
    .split(', ')
    .map(entry => {
      const match = /^(.*) (\d+)%$/.exec(entry);
      return match ? [match[1], Number(match[2])] : [entry, NaN];
    });
  return Object.fromEntries(entries);
}

/** Waits until the cluster holds `inClusterSplit`, then until the page shows `shownSplit`. */
async function expectSplit(
  page: Page,
  readCluster: () => unknown,
  inClusterSplit: unknown,
  shownSplit: Record<string, number>,
) {
  await expect.poll(readCluster).toEqual(inClusterSplit);
  await expect.poll(() => shownWeights(page)).toMatchObject(shownSplit);
}

/** Each version shows the images and the ready/desired replicas of its Deployment in the cluster. */
async function expectVersionsAsInCluster(
  page: Page,
  namespace: string,
  versions: { shownName: string; deployment: string }[],
) {
  for (const { shownName, deployment } of versions) {
    const region = page.getByRole('region', {
      name: `Version ${shownName}`,
      exact: true,
    });
    for (const image of deploymentImages(namespace, deployment)) {
      await expect(region).toContainText(image);
    }
    await expect(async () => {
      const { ready, desired } = deploymentReplicas(namespace, deployment);
      await expect(region).toContainText(`${ready} of ${desired} ready`, {
        timeout: 2_000,
      });
    }).toPass({ timeout: 45_000 });
  }
}

/**
 * Waits until the page shows what the cluster holds for a CanaryDelivery: its Flagger phase, its
 * canary weight in the analysis and the traffic bar, and the VirtualService routing that weight.
 * Returns what was seen.
 */
async function expectCanaryAsInCluster(
  page: Page,
  namespace: string,
  name: string,
): Promise<{ phase: string; canaryWeight: number }> {
  let seen = { phase: '', canaryWeight: NaN };
  const analysis = page.getByRole('region', { name: 'Canary analysis' });
  await expect(async () => {
    const status = canaryStatus(namespace, name);
    const canaryWeight = Number(status.canaryWeight ?? 0);
    expect(virtualServiceWeights(namespace, name).http).toEqual({
      [`${name}-primary`]: 100 - canaryWeight,
      [`${name}-canary`]: canaryWeight,
    });
    await expect(analysis).toContainText(`Flagger phase ${status.phase}`, {
      timeout: 2_000,
    });
    await expect(
      analysis.getByRole('progressbar', {
        name: new RegExp(`^Canary weight ${canaryWeight}% of`),
      }),
    ).toBeVisible({ timeout: 2_000 });
    await expect(analysis).toContainText(
      new RegExp(`Failed checks\\s*${Number(status.failedChecks ?? 0)} of`),
      { timeout: 2_000 },
    );
    expect(await shownWeights(page)).toEqual({
      [`${name}-primary`]: 100 - canaryWeight,
      [name]: canaryWeight,
    });
    seen = { phase: status.phase, canaryWeight };
  }).toPass({ timeout: 45_000 });
  return seen;
}

/** The analysis states the CanaryDelivery's steps: 0 to maxWeight in stepWeight steps. */
async function expectAnalysisSpec(page: Page, namespace: string, name: string) {
  const { stepWeight, maxWeight, threshold } = canaryDelivery(namespace, name)
    .spec.analysis;
  const analysis = page.getByRole('region', { name: 'Canary analysis' });
  await expect(analysis).toContainText(
    `of ${maxWeight}% in steps of ${stepWeight}%`,
  );
  await expect(analysis).toContainText(`of ${threshold} allowed`);
}

test.describe('Rollouts tab', () => {
  test('service-selector: shows the version the Service selects, and follows a change made with kubectl', async ({
    page,
  }) => {
    const ns = 'service-selector';
    // Start from blue, whatever an earlier run left
    if (serviceSelector(ns, 'web').version !== 'blue') {
      selectVersion(ns, 'web', 'blue');
    }
    await openRolloutsTab(page, 'web-service-selector');
    const summary = page.getByRole('region', { name: 'Rollout summary' });
    await expect(summary).toContainText('Service selector');
    await expect(summary).toContainText(ns);
    await expect(summary).toContainText('Service web');

    const traffic = page.getByRole('region', { name: 'Traffic' });
    await expect(traffic).toContainText('version blue');
    await expect(traffic).toContainText('version=blue');
    expect(await shownWeights(page)).toMatchObject({ blue: 100, green: 0 });
    expect(deploymentImages(ns, 'blue')).not.toEqual(
      deploymentImages(ns, 'green'),
    );
    await expectVersionsAsInCluster(page, ns, [
      { shownName: 'blue', deployment: 'blue' },
      { shownName: 'green', deployment: 'green' },
    ]);
    await expect(page.getByRole('region', { name: 'History' })).toBeVisible();
    await screenshot(page, 'service-selector');

    await markPage(page);
    try {
      selectVersion(ns, 'web', 'green');
      await expectSplit(
        page,
        () => serviceSelector(ns, 'web').version,
        'green',
        { blue: 0, green: 100 },
      );
      await expect(traffic).toContainText('version green');
      await expectNotReloaded(page);
      await screenshot(page, 'service-selector-green');
    } finally {
      selectVersion(ns, 'web', 'blue');
    }
    await expectSplit(page, () => serviceSelector(ns, 'web').version, 'blue', {
      blue: 100,
      green: 0,
    });
    await expectNotReloaded(page);
  });

  /** gateway-api and istio: a routing object whose weights split the traffic between two Services. */
  const weightedRoutes = [
    {
      strategy: 'gateway-api',
      entity: 'web-gateway-api',
      label: 'Gateway API HTTPRoute weights',
      router: 'HTTPRoute',
      stable: 'web-stable',
      canary: 'web-canary',
      read: (ns: string) => httpRouteWeights(ns, 'web'),
      write: (ns: string, split: Record<string, number>) =>
        setHttpRouteWeights(ns, 'web', split),
      inCluster: (split: Record<string, number>): unknown => split,
    },
    {
      strategy: 'istio',
      entity: 'web-istio',
      label: 'Istio VirtualService weights',
      router: 'VirtualService',
      stable: 'web-stable',
      canary: 'web-preview',
      read: (ns: string) => virtualServiceWeights(ns, 'web'),
      write: (ns: string, split: Record<string, number>) =>
        setVirtualServiceWeights(ns, 'web', split),
      // The http and the tcp route carry the same split.
      inCluster: (split: Record<string, number>): unknown => ({
        http: split,
        tcp: split,
      }),
    },
  ];

  for (const route of weightedRoutes) {
    test(`${route.strategy}: shows the ${route.router} weights, and follows a change made with kubectl`, async ({
      page,
    }) => {
      const ns = route.strategy;
      const split = (canary: number) => ({
        [route.stable]: 100 - canary,
        [route.canary]: canary,
      });
      const expectRoute = (shown: Record<string, number>) =>
        expectSplit(page, () => route.read(ns), route.inCluster(shown), shown);
      route.write(ns, split(0));

      await openRolloutsTab(page, route.entity);
      const summary = page.getByRole('region', { name: 'Rollout summary' });
      await expect(summary).toContainText(route.label);
      await expect(summary).toContainText('Canary');
      await expectRoute(split(0));
      await expect(page.getByRole('region', { name: 'Traffic' })).toContainText(
        `Routed by ${route.router} ${ns}/web`,
      );
      await expectVersionsAsInCluster(page, ns, [
        { shownName: route.stable, deployment: route.stable },
        { shownName: route.canary, deployment: route.canary },
      ]);
      await screenshot(page, route.strategy);

      await markPage(page);
      try {
        route.write(ns, split(30));
        await expectRoute(split(30));
        await expectNotReloaded(page);
        await screenshot(page, `${route.strategy}-30`);
      } finally {
        route.write(ns, split(0));
      }
      await expectRoute(split(0));
    });
  }

  test('canary-delivery: canary-demo shows its analysis as the cluster holds it, and follows it as Flagger moves', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const ns = 'flagger-demo';
    const name = 'canary-demo';
    await openRolloutsTab(page, name);
    await expect(
      page.getByRole('region', { name: 'Rollout summary' }),
    ).toContainText('Canary delivery (Flagger)');
    await expectAnalysisSpec(page, ns, name);
    // The demo runs on its own (a step every 30 s, a new release a minute after each run): the
    // page catches up with every change without a reload
    await markPage(page);
    const first = await expectCanaryAsInCluster(page, ns, name);
    await expect
      .poll(
        () => {
          const status = canaryStatus(ns, name);
          return `${status.phase}/${Number(status.canaryWeight ?? 0)}`;
        },
        { timeout: 120_000, intervals: [2_000] },
      )
      .not.toBe(`${first.phase}/${first.canaryWeight}`);
    await expectCanaryAsInCluster(page, ns, name);
    await expectNotReloaded(page);

    // The history lists the runs newest first, among them the demo's automatically failed run
    const history = page.getByRole('region', { name: 'History' });
    await expect(history).toContainText(
      /canary weight \d+|Promotion completed/,
    );
    await expect(history).toContainText(
      'Canary failed! Scaling down canary-demo.flagger-demo',
    );
    await screenshot(page, 'canary-demo');

    // A run expands to its steps and checks
    await history
      .getByRole('button', { name: 'Show steps and checks' })
      .first()
      .click();
    await expect(history.getByRole('table', { name: 'Steps' })).toBeVisible();
  });

  test('canary-delivery: bluegreen-demo shows its analysis, versions and runs as the cluster holds them', async ({
    page,
  }) => {
    const ns = 'flagger-demo';
    const name = 'bluegreen-demo';
    await openRolloutsTab(page, name);
    await expect(
      page.getByRole('region', { name: 'Rollout summary' }),
    ).toContainText('Canary delivery (Flagger)');
    await expectAnalysisSpec(page, ns, name);
    await expectCanaryAsInCluster(page, ns, name);
    await expectVersionsAsInCluster(page, ns, [
      { shownName: `${name}-primary`, deployment: `${name}-primary` },
      { shownName: name, deployment: name },
    ]);
    // The newest run (CanaryEvent) heads the history
    const [newest] = canaryEvents(ns, name);
    const history = page.getByRole('region', { name: 'History' });
    await expect(
      history
        .getByRole('table', { name: 'Rollout events' })
        .locator('tbody tr')
        .first(),
    ).toContainText(newest.spec.message);
    await screenshot(page, 'bluegreen-demo');
  });

  test('payments-web: shows the version its Service selects', async ({
    page,
  }) => {
    const ns = 'payments';
    await openRolloutsTab(page, 'payments-web');
    await expect(
      page.getByRole('region', { name: 'Rollout summary' }),
    ).toContainText('Service selector');
    const version = serviceSelector(ns, 'payments-web').version;
    await expect(page.getByRole('region', { name: 'Traffic' })).toContainText(
      `version ${version}`,
    );
    await screenshot(page, 'payments-web');
  });

  test('the overview card shows the split and leads to the tab', async ({
    page,
  }) => {
    const ns = 'service-selector';
    const version = serviceSelector(ns, 'web').version;
    await signIn(page);
    await page.goto('/catalog/default/component/web-service-selector');
    // The InfoCard titled Rollout: the only card with this link
    const card = page
      .locator('.MuiCard-root')
      .filter({ has: page.getByRole('link', { name: 'Open rollout' }) });
    await expect(card).toContainText('Service selector · Blue-green');
    const bar = card.getByRole('img', { name: /^Traffic split: / });
    await expect(bar).toHaveAttribute(
      'aria-label',
      new RegExp(`${version} 100%`),
    );
    await screenshot(page, 'card');
    await card.getByRole('link', { name: 'Open rollout' }).click();
    await expect(page).toHaveURL(
      /\/catalog\/default\/component\/web-service-selector\/rollouts$/,
    );
    await expect(
      page.getByRole('region', { name: 'Rollout summary' }),
    ).toBeVisible();
  });
});
