import { defineConfig } from '@playwright/test';

// Browser tests against a real server (apps/server/dist) serving the built web app (apps/web/dist), in
// Debian's Chromium. Build first: `npm run build`. e2e/serve.mjs prints the URL and setup token once the
// server answers; Playwright stores the named groups as MIYU_E2E_URL and MIYU_E2E_SETUP_TOKEN.
export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.e2e.ts',
  outputDir: './test-results/artifacts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env['CI'],
  reporter: [['list'], ['json', { outputFile: './test-results/e2e.json' }]],
  // The first-run scenario needs a server nobody has set up yet, so it runs before every other scenario.
  projects: [
    { name: 'first-run', testMatch: 'foundation.e2e.ts' },
    { name: 'scenarios', testMatch: '**/*.e2e.ts', testIgnore: 'foundation.e2e.ts', dependencies: ['first-run'] },
  ],
  use: {
    baseURL: process.env['MIYU_E2E_URL'],
    locale: 'zh-CN',
    viewport: { width: 1360, height: 860 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
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
  webServer: {
    command: 'node apps/web/e2e/serve.mjs',
    cwd: '../..',
    wait: { stdout: /MIYU_E2E_READY url=(?<miyu_e2e_url>\S+) token=(?<miyu_e2e_setup_token>\S+)/ },
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
  },
});
