import fs from 'node:fs';
import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

/**
 * The browser tests run on Chromium: the CHROMIUM_PATH environment variable, else the Debian
 * package's /usr/bin/chromium, else the browser Playwright downloaded for itself. With none of
 * them the run fails here, saying how to install one: browser tests never skip silently.
 */
function chromiumExecutable(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) {
      throw new Error(
        `CHROMIUM_PATH is set to ${fromEnv}, but no file is there. Point it at a Chromium binary or unset it.`,
      );
    }
    return fromEnv;
  }
  if (fs.existsSync('/usr/bin/chromium')) {
    return '/usr/bin/chromium';
  }
  // eslint-disable-next-line @backstage/no-undeclared-imports
  const { chromium } = require('playwright-core');
  if (fs.existsSync(chromium.executablePath())) {
    return undefined; // Playwright's own browser
  }
  throw new Error(
    'No Chromium found for the browser tests. Install one with `apt-get install -y chromium` ' +
      '(Debian/Ubuntu), or `npx playwright install chromium`, or set CHROMIUM_PATH to a Chromium binary.',
  );
}

const executablePath = chromiumExecutable();

export default defineConfig({
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'e2e-test-report' }],
  ],

  // The whole portal, as `yarn start` runs it: app on 3000, backend (and its embedded cluster) on 7007
  webServer: {
    command: 'yarn start',
    url: 'http://localhost:3000',
    reuseExistingServer: !process.env.CI,
    timeout: 300_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },

  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    actionTimeout: 30_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },

  outputDir: 'node_modules/.cache/e2e-test-results',

  projects: generateProjects().map(project => ({
    ...project,
    use: { ...project.use, channel: undefined },
  })),
});
