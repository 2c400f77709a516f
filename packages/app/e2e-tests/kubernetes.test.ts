import { execFileSync } from 'node:child_process';
import { test, expect } from '@playwright/test';

/** The demo services: their namespace and label selector in the embedded cluster. */
const demoServices = [
  ['web-service-selector', 'service-selector', 'app=web'],
  ['web-gateway-api', 'gateway-api', 'app in (web-stable,web-canary)'],
  ['web-istio', 'istio', 'app=web'],
  ['canary-demo', 'flagger-demo', 'app in (canary-demo,canary-demo-primary)'],
  [
    'bluegreen-demo',
    'flagger-demo',
    'app in (bluegreen-demo,bluegreen-demo-primary)',
  ],
  ['payments-web', 'payments', 'app=payments-web'],
] as const;

/** Pod names as kubectl reads them from the portal's embedded cluster. */
function podsFromKubectl(namespace: string, selector: string): string[] {
  const out = execFileSync(
    'kubectl',
    [
      '--kubeconfig',
      '.kube-emulator/kubeconfig',
      '-n',
      namespace,
      'get',
      'pods',
      '-l',
      selector,
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ],
    { encoding: 'utf8' },
  );
  return out.split(' ').filter(Boolean).sort();
}

test('the Kubernetes plugin lists the pods of every demo service from the embedded cluster', async ({
  request,
}) => {
  const refresh = await request.get(
    'http://localhost:7007/api/auth/guest/refresh',
    { headers: { 'X-Requested-With': 'XMLHttpRequest' } },
  );
  expect(refresh.ok()).toBe(true);
  const token = (await refresh.json()).backstageIdentity.token;
  const headers = { Authorization: `Bearer ${token}` };

  for (const [name, namespace, selector] of demoServices) {
    const entity = await request.get(
      `http://localhost:7007/api/catalog/entities/by-name/component/default/${name}`,
      { headers },
    );
    expect(entity.ok()).toBe(true);
    const objects = await request.post(
      `http://localhost:7007/api/kubernetes/services/${name}`,
      { headers, data: { entity: await entity.json() } },
    );
    expect(objects.ok()).toBe(true);
    const [cluster] = (await objects.json()).items;
    expect(cluster.cluster.name).toBe('embedded');
    expect(cluster.errors).toEqual([]);
    const pods = cluster.resources.find(
      (r: { type: string }) => r.type === 'pods',
    );
    const podNames = pods.resources
      .map((p: { metadata: { name: string } }) => p.metadata.name)
      .sort();
    expect(podNames.length).toBeGreaterThan(0);
    expect(podNames).toEqual(podsFromKubectl(namespace, selector));
  }
});

test('the Kubernetes tab of a demo service shows its pods and Deployments', async ({
  page,
}) => {
  const pods = podsFromKubectl('service-selector', 'app=web');
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  // Signed in once the catalog lists the guest's components
  await expect(
    page.getByRole('heading', { name: /Owned Components/, level: 2 }),
  ).toBeVisible();
  await page.goto('/catalog/default/component/web-service-selector/kubernetes');
  const problem = page.getByText(
    'There was a problem retrieving Kubernetes objects',
  );
  const cluster = page.getByRole('button', {
    name: /Embedded cluster \(kube-emulator\)/,
  });
  await expect(cluster.or(problem).first()).toBeVisible();
  if (await problem.isVisible()) {
    await problem.click();
    throw new Error(
      `The Kubernetes tab reports a problem: ${await page
        .locator('main')
        .innerText()}`,
    );
  }
  await expect(cluster).toContainText(`${pods.length} pods`);
  await expect(cluster).toContainText('No pods with errors');
  await cluster.click();
  for (const deployment of ['blue', 'green']) {
    await expect(
      page.getByText(deployment, { exact: true }).first(),
    ).toBeVisible();
  }
  await page.screenshot({
    path: 'e2e-screenshots/kubernetes-tab.png',
    fullPage: true,
  });
});
