// `npm run audit:deps`: known vulnerabilities in the production dependencies (`npm audit --omit=dev`).
// Fails (exit 1) on a high or critical advisory unless audit-exceptions.json lists it with a reason; lower
// severities are shown, not enforced. When npm's advisory service cannot be reached (offline, or a registry that
// does not offer it: registry.npmjs.org answers 405 from some networks) it says so and exits 0, since nothing was
// checked; `--require-service` makes that exit 2 instead. A malformed exceptions file exits 2.
//
//   node scripts/audit-deps.mjs [--input <npm-audit.json>] [--exceptions <file>] [--require-service]
//
// `--input` judges a saved `npm audit --json` output instead of running npm (used by the tests).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const BLOCKING = new Set(['high', 'critical']);
const SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'];

/**
 * npm's JSON output as a list of advisories, or why there is none. Understands the v2 report (npm 7 and later:
 * `vulnerabilities`, whose `via` objects are the advisories; string entries only point at another vulnerable
 * package) and the v1 report (npm 6: `advisories`).
 */
export function parseAudit(text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    const first = text.trim().split('\n')[0] ?? '';
    return { reachable: false, reason: first ? `npm printed no JSON: ${first.slice(0, 200)}` : 'npm printed nothing' };
  }
  if (json && typeof json.vulnerabilities === 'object' && json.vulnerabilities !== null) {
    const found = new Map();
    for (const vulnerability of Object.values(json.vulnerabilities)) {
      for (const via of vulnerability.via ?? []) {
        if (typeof via !== 'object' || via === null) continue;
        const advisory = {
          id: advisoryId(via.url, via.source),
          package: via.name ?? vulnerability.name,
          severity: via.severity ?? vulnerability.severity,
          title: via.title ?? '',
          url: via.url ?? '',
          range: via.range ?? '',
        };
        found.set(`${advisory.id} ${advisory.package}`, advisory);
      }
    }
    return {
      reachable: true,
      advisories: [...found.values()],
      dependencies: json.metadata?.dependencies?.prod ?? null,
    };
  }
  if (json && typeof json.advisories === 'object' && json.advisories !== null) {
    const advisories = Object.values(json.advisories).map((a) => ({
      id: advisoryId(a.url, a.id),
      package: a.module_name,
      severity: a.severity,
      title: a.title ?? '',
      url: a.url ?? '',
      range: a.vulnerable_versions ?? '',
    }));
    return { reachable: true, advisories, dependencies: json.metadata?.dependencies ?? null };
  }
  const reason =
    [json?.message, json?.error?.summary, json?.error?.code, json?.statusCode && `HTTP ${json.statusCode}`].find(
      (v) => typeof v === 'string' && v.trim() !== '',
    ) ?? 'npm returned no audit report';
  return { reachable: false, reason };
}

/** GHSA id from the advisory URL when there is one (stable across registries), else npm's numeric id. */
function advisoryId(url, source) {
  const ghsa = /GHSA(-[a-z0-9]{4}){3}/i.exec(url ?? '');
  return ghsa ? ghsa[0] : `npm:${source}`;
}

/**
 * Reads the exceptions file: `{ "exceptions": [{ "advisory": "GHSA-…", "package": "name", "reason": "why it does
 * not apply to us", "expires": "YYYY-MM-DD" }] }` (`package` and `expires` optional). Returns the entries and
 * the problems found in them.
 */
export function parseExceptions(text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { exceptions: [], problems: [`not JSON: ${err.message}`] };
  }
  if (!Array.isArray(json?.exceptions)) return { exceptions: [], problems: ['expected { "exceptions": [ … ] }'] };
  const problems = [];
  const exceptions = [];
  json.exceptions.forEach((e, i) => {
    const where = `exceptions[${i}]`;
    if (typeof e?.advisory !== 'string' || !/^(GHSA(-[a-z0-9]{4}){3}|npm:\d+)$/i.test(e.advisory))
      return problems.push(`${where}: "advisory" must be a GHSA id (GHSA-xxxx-xxxx-xxxx) or npm:<number>`);
    if (typeof e.reason !== 'string' || e.reason.trim().length < 10)
      return problems.push(`${where} (${e.advisory}): "reason" must say why it is acceptable (10 characters or more)`);
    if (e.package !== undefined && (typeof e.package !== 'string' || e.package === ''))
      return problems.push(`${where} (${e.advisory}): "package" must be a package name`);
    if (e.expires !== undefined && (typeof e.expires !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(e.expires)))
      return problems.push(`${where} (${e.advisory}): "expires" must be a date, YYYY-MM-DD`);
    exceptions.push({ advisory: e.advisory, package: e.package ?? null, reason: e.reason.trim(), expires: e.expires });
  });
  return { exceptions, problems };
}

/**
 * Which high/critical advisories block: those without a live exception (matching id, and package when given;
 * not past `expires`). Also returns the excepted ones, exceptions that have expired, and ones that match nothing.
 */
export function decide(advisories, exceptions, today = new Date().toISOString().slice(0, 10)) {
  const live = exceptions.filter((e) => !e.expires || e.expires >= today);
  const matches = (e, a) =>
    e.advisory.toLowerCase() === a.id.toLowerCase() && (e.package === null || e.package === a.package);
  const blocking = [];
  const excepted = [];
  for (const a of advisories.filter((x) => BLOCKING.has(x.severity))) {
    const exception = live.find((e) => matches(e, a));
    if (exception) excepted.push({ advisory: a, exception });
    else blocking.push(a);
  }
  return {
    blocking,
    excepted,
    expired: exceptions.filter((e) => !live.includes(e)),
    unused: live.filter((e) => !advisories.some((a) => matches(e, a))),
  };
}

function runNpmAudit() {
  // Under `npm run`, npm_execpath is npm's own CLI: the same npm that runs the script.
  const npm = process.env.npm_execpath;
  const args = ['audit', '--omit=dev', '--json'];
  const res = npm?.endsWith('.js')
    ? spawnSync(process.execPath, [npm, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    : spawnSync('npm', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) return `{"message": ${JSON.stringify(`could not run npm: ${res.error.message}`)}}`;
  return res.stdout;
}

function main(argv) {
  const option = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const exceptionsFile = resolve(option('--exceptions') ?? resolve(root, 'audit-exceptions.json'));
  const input = option('--input');
  const log = (line) => console.log(`audit:deps: ${line}`);

  const { exceptions, problems } = parseExceptions(readFileSync(exceptionsFile, 'utf8'));
  if (problems.length > 0) {
    log(`${exceptionsFile} is invalid:`);
    for (const p of problems) console.log(`  - ${p}`);
    return 2;
  }

  const report = parseAudit(input ? readFileSync(resolve(input), 'utf8') : runNpmAudit());
  if (!report.reachable) {
    log(`advisory service unreachable (${report.reason}).`);
    log('No advisories were checked. Run again where the npm registry answers `npm audit`.');
    return argv.includes('--require-service') ? 2 : 0;
  }

  const counts = SEVERITIES.map((s) => [s, report.advisories.filter((a) => a.severity === s).length]).filter(
    ([, n]) => n > 0,
  );
  const packages = report.dependencies === null ? '' : ` in ${report.dependencies} production packages`;
  log(
    `${report.advisories.length} advisories${packages}` +
      (counts.length ? ` (${counts.map(([s, n]) => `${n} ${s}`).join(', ')})` : ''),
  );
  const result = decide(report.advisories, exceptions);
  const describe = (a) => `${a.severity} ${a.id} in ${a.package}${a.range ? ` ${a.range}` : ''}: ${a.title} ${a.url}`;
  for (const a of report.advisories.filter((x) => !BLOCKING.has(x.severity)))
    console.log(`  (not enforced) ${describe(a)}`);
  for (const { advisory, exception } of result.excepted)
    console.log(
      `  excepted ${describe(advisory)}\n    reason: ${exception.reason}` +
        (exception.expires ? ` (until ${exception.expires})` : ''),
    );
  for (const e of result.expired) console.log(`  expired exception ${e.advisory} (${e.expires}): it no longer applies`);
  for (const e of result.unused) console.log(`  unused exception ${e.advisory}: no such advisory now; remove it`);
  for (const a of result.blocking) console.log(`  BLOCKING ${describe(a)}`);
  if (result.blocking.length > 0) {
    log(
      `FAIL: ${result.blocking.length} high/critical ${result.blocking.length === 1 ? 'advisory' : 'advisories'} ` +
        `without an exception. Upgrade, or add each to ${exceptionsFile} with the reason it does not affect Miyu.`,
    );
    return 1;
  }
  log('OK: no high or critical advisory without an exception.');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
