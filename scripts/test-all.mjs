// `npm test`: every check the project has, in one run, with one closing line "N passed, N failed".
// Steps: lint (ESLint + import cycles), type-check, build (`npm run build`, the same script the Docker image
// uses), Jest (unit, crypto in jsdom, web, integration against real PostgreSQL and Redis), Playwright in
// Debian Chromium. A failing step does not stop the later ones; any failure makes the exit code non-zero.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const results = join(root, 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const steps = [];
let passed = 0;
let failed = 0;
let skipped = 0;

function run(name, command, args, env = {}) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const res = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = res.status === 0;
  steps.push({ name, ok, seconds: Math.round((Date.now() - started) / 100) / 10 });
  return ok;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Steps without test counts of their own count as one check each. */
function check(name, command, args, env) {
  if (run(name, command, args, env)) passed += 1;
  else failed += 1;
}

check('lint', 'npm', ['run', 'lint', '--silent']);
check('typecheck', 'npm', ['run', 'typecheck', '--silent']);
check('build', 'npm', ['run', 'build', '--silent']);

const jestJson = join(results, 'jest.json');
const jestOk = run('jest', 'npx', ['jest', '--ci', '--json', `--outputFile=${jestJson}`]);
const jest = readJson(jestJson);
if (jest) {
  passed += jest.numPassedTests;
  failed += jest.numFailedTests;
  skipped += jest.numPendingTests + (jest.numTodoTests ?? 0);
  // A suite that fails to load reports no failed tests: count it.
  failed += jest.numRuntimeErrorTestSuites ?? 0;
  if (!jestOk && jest.numFailedTests === 0 && !jest.numRuntimeErrorTestSuites) failed += 1;
} else {
  failed += 1;
}

const e2eJson = join(root, 'apps/web/test-results/e2e.json');
rmSync(e2eJson, { force: true });
if (!existsSync('/usr/bin/chromium')) {
  console.error(
    '\n/usr/bin/chromium is missing: install Debian chromium (apt-get install -y chromium) for browser tests.',
  );
  failed += 1;
} else {
  const e2eOk = run('e2e', 'npx', ['playwright', 'test', '-c', 'apps/web/playwright.config.ts']);
  const e2e = readJson(e2eJson);
  if (e2e?.stats) {
    passed += e2e.stats.expected + (e2e.stats.flaky ?? 0);
    failed += e2e.stats.unexpected;
    skipped += e2e.stats.skipped ?? 0;
    if (!e2eOk && e2e.stats.unexpected === 0) failed += 1;
  } else {
    failed += 1;
  }
}

console.log('\nSteps:');
for (const s of steps) console.log(`  ${s.ok ? 'ok  ' : 'FAIL'} ${s.name} (${s.seconds} s)`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 ? 0 : 1);
