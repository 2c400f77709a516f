import { test, expect } from '@playwright/test';

const ownedByGuest = [
  'web (Service selector)',
  'web (Gateway API)',
  'web (Istio)',
  'canary-demo',
  'bluegreen-demo',
];
const ownedByAnotherTeam = 'payments-web (Service selector)';

test('a guest signs in and finds the demo services in the catalog', async ({
  page,
}) => {
  await page.goto('/');

  const enterButton = page.getByRole('button', { name: 'Enter' });
  await expect(enterButton).toBeVisible();
  await enterButton.click();

  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(
    nav.getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();

  // The catalog opens on what the guest owns through its group, team-rollouts
  await expect(
    page.getByRole('heading', { name: 'Owned Components (5)', level: 2 }),
  ).toBeVisible();
  for (const name of ownedByGuest) {
    await expect(page.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await expect(
    page.getByRole('link', { name: ownedByAnotherTeam, exact: true }),
  ).toHaveCount(0);

  // All components include team-payments' service too
  await page.getByRole('menuitem', { name: /^All/ }).click();
  await expect(
    page.getByRole('link', { name: ownedByAnotherTeam, exact: true }),
  ).toBeVisible();

  await page.screenshot({
    path: 'e2e-screenshots/catalog.png',
    fullPage: true,
  });
});
