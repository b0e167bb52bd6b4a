// scripts/audit-deps.mjs (`npm run audit:deps`) judged on saved `npm audit --json` outputs, without a network:
// - testdata/npm-audit-report.json: a real npm 11 report, from npm's advisory request answered by a local stub with
//   three fixture advisories (critical in helmet, high in qs, moderate in cookie) against this repository's tree;
// - testdata/npm-audit-405.json: recorded here, registry.npmjs.org refusing the advisory request (405);
// - testdata/npm-audit-refused.json: recorded with the registry pointed at a closed port.
// Run: npx jest --selectProjects unit scripts/audit-deps
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const SCRIPT = path.join(__dirname, 'audit-deps.mjs');
const data = (name: string) => path.join(__dirname, 'testdata', name);
const CRITICAL = 'GHSA-fx01-crit-0001';
const HIGH = 'GHSA-fx02-high-0002';
const MODERATE = 'GHSA-fx03-mode-0003';

describe('audit:deps', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'miyu-audit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let files = 0;
  function run(input: string, exceptions: unknown = { exceptions: [] }, extra: string[] = []) {
    const file = path.join(dir, `exceptions-${++files}.json`);
    writeFileSync(file, typeof exceptions === 'string' ? exceptions : JSON.stringify(exceptions));
    const res = spawnSync(process.execPath, [SCRIPT, '--input', data(input), '--exceptions', file, ...extra], {
      encoding: 'utf8',
    });
    return { code: res.status, out: res.stdout + res.stderr };
  }
  const reason = 'Only reachable through the admin CSV export, which never parses untrusted input.';

  it('fails on high and critical advisories without an exception, and only shows moderate ones', () => {
    const { code, out } = run('npm-audit-report.json');
    expect(code).toBe(1);
    expect(out).toContain('3 advisories in 453 production packages (1 critical, 1 high, 1 moderate)');
    expect(out).toMatch(new RegExp(`BLOCKING critical ${CRITICAL} in helmet`));
    expect(out).toMatch(new RegExp(`BLOCKING high ${HIGH} in qs`));
    expect(out).toMatch(new RegExp(`\\(not enforced\\) moderate ${MODERATE} in cookie`));
    expect(out).toContain('FAIL: 2 high/critical advisories without an exception');
  });

  it('judges advisories, not the packages they propagate to (npm counts 10 "high" packages for one qs advisory)', () => {
    const { code, out } = run('npm-audit-report.json', {
      exceptions: [
        { advisory: CRITICAL, package: 'helmet', reason },
        { advisory: HIGH.toLowerCase(), reason },
      ],
    });
    expect(out).toContain(`excepted critical ${CRITICAL} in helmet`);
    expect(out).toContain(`reason: ${reason}`);
    expect(out).not.toContain('BLOCKING');
    expect(out).toContain('OK: no high or critical advisory without an exception.');
    expect(code).toBe(0);
  });

  it('ignores exceptions for another package or past their date, and reports unused ones', () => {
    const { code, out } = run('npm-audit-report.json', {
      exceptions: [
        { advisory: CRITICAL, package: 'express', reason },
        { advisory: HIGH, reason, expires: '2020-01-01' },
        { advisory: 'GHSA-zzzz-zzzz-zzzz', reason, expires: '2999-12-31' },
      ],
    });
    expect(code).toBe(1);
    expect(out).toContain(`BLOCKING critical ${CRITICAL} in helmet`);
    expect(out).toContain(`BLOCKING high ${HIGH} in qs`);
    expect(out).toContain(`expired exception ${HIGH} (2020-01-01)`);
    expect(out).toContain('unused exception GHSA-zzzz-zzzz-zzzz');
    expect(out).toContain(`unused exception ${CRITICAL}`);
  });

  it('refuses an exceptions file whose entries lack a reason or a valid id (exit 2)', () => {
    for (const bad of [
      { exceptions: [{ advisory: HIGH }] },
      { exceptions: [{ advisory: HIGH, reason: 'ok' }] },
      { exceptions: [{ advisory: 'CVE-2024-1', reason }] },
      { exceptions: [{ advisory: HIGH, reason, expires: 'soon' }] },
      { advisories: [] },
      '{ not json',
    ]) {
      const { code, out } = run('npm-audit-report.json', bad);
      expect({ bad, code, invalid: out.includes('is invalid') }).toEqual({ bad, code: 2, invalid: true });
    }
  });

  it.each([
    ['npm-audit-405.json', '405 Method Not Allowed'],
    ['npm-audit-refused.json', 'ECONNREFUSED'],
  ])('reports "advisory service unreachable" for %s and passes, unless the service is required', (input, why) => {
    const { code, out } = run(input);
    expect(code).toBe(0);
    expect(out).toContain('advisory service unreachable');
    expect(out).toContain(why);
    expect(out).toContain('No advisories were checked');
    expect(run(input, { exceptions: [] }, ['--require-service']).code).toBe(2);
  });

  it('reads the checked-in audit-exceptions.json without complaint', () => {
    const res = spawnSync(process.execPath, [SCRIPT, '--input', data('npm-audit-405.json')], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout).not.toContain('is invalid');
  });
});
