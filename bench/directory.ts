// Benchmark of the org directory (issue #4) against a real PostgreSQL: seeds 10,000 departments and 100,000
// people in a throwaway database on DATABASE_URL's server, then measures subtree member listing, moving a
// 1,000-department subtree, search latency (p50/p99) by name, pinyin and employee number, and a 10,000-row import.
// Needs the built server (for its migrations) and libs/org-directory:
//   npx nx run-many -t build --projects=@miyu/server && npx tsc -p bench/tsconfig.json && \
//     DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node bench/dist/directory.js \
//     [--departments 10000 --people 100000 --queries 200 --import-rows 10000]   (the defaults)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataSource, Entity, PrimaryColumn } from 'typeorm';
import { parseFlags } from './support/args.js';
import { createThrowawayDatabase, migrate } from './support/db.js';
import { root } from './support/paths.js';
import { type Metric, report } from './support/report.js';
import { quantile, timed } from './support/stats.js';

// The lib is loaded from its build at run time; these are the parts the bench uses.
type Actor = { userId: string; role: 'admin' | 'member' };
interface Emitter {
  emit(name: string, payload: unknown): boolean;
}
interface Repo {
  reindexStale(): Promise<number>;
}
interface Service {
  departmentMembers(
    actor: Actor,
    id: string,
    q: { recursive: boolean; limit: number; offset: number },
  ): Promise<{ total: number }>;
  moveDepartment(actor: Actor, id: string, input: { parentId: string | null }): Promise<unknown>;
  search(actor: Actor, q: { q: string; limit: number; offset: number }): Promise<{ items: unknown[] }>;
}
interface Importer {
  importFile(actor: Actor, format: 'csv', data: Buffer, dryRun: boolean): Promise<{ ok: boolean; errors: unknown[] }>;
}
interface Lib {
  ORG_DIRECTORY_ENTITIES: Array<new () => object>;
  DirectoryRepository: new (ds: DataSource) => Repo;
  DirectoryService: new (repo: Repo, events: Emitter) => Service;
  DirectoryImportService: new (repo: Repo, events: Emitter) => Importer;
  recountAll(m: DataSource['manager']): Promise<void>;
}

const flags = parseFlags();
/** A balanced tree 1 → 10 → 100 → 1,000, then level 4 up to this many departments in all. */
const DEPARTMENTS = flags.number('departments', 10_000);
const PEOPLE = flags.number('people', 100_000);
/** Search queries per kind. */
const QUERIES = flags.number('queries', 200);
/** Rows of the imported CSV: a tenth departments, the rest people. */
const IMPORT_ROWS = flags.number('import-rows', 10_000);
if (DEPARTMENTS < 1112 || PEOPLE < 100 || QUERIES < 1 || IMPORT_ROWS < 100) {
  throw new Error(
    'expected --departments ≥ 1112 (four full levels and one more), --people ≥ 100, --queries ≥ 1, --import-rows ≥ 100',
  );
}
const int = (n: number) => n.toLocaleString('en-US');

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN = [
  ...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌海燕波宁丹凤云飞春晓东梅林琳雪慧颖宇浩然子涵欣怡梓轩一诺俊杰佳琪',
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const rand = rng(42);
const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)]!;

function uuid(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const results: Array<[string, string]> = [];
/** The headline figures, for `npm run bench` (bench/support/report.ts). */
const metrics: Metric[] = [];
function record(name: string, value: string): void {
  results.push([name, value]);
  console.log(`${name}: ${value}`);
}

function ensureBuilt(): void {
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'libs/org-directory/tsconfig.lib.json')], {
    stdio: 'inherit',
  });
  if (res.status !== 0) throw new Error('building libs/org-directory failed');
  if (!existsSync(path.join(root, 'apps/server/dist/cli/migrate.js'))) {
    throw new Error('apps/server/dist is missing: run `npx nx run-many -t build --projects=@miyu/server` first');
  }
}

async function main(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('Set DATABASE_URL to a PostgreSQL server where a throwaway database may be created');
  ensureBuilt();
  const lib = (await import(pathToFileURL(path.join(root, 'libs/org-directory/dist/index.js')).href)) as Lib;

  const db = await createThrowawayDatabase(baseUrl, `miyu_bench_directory_${process.pid}`);
  const url = db.url;
  let ds: DataSource | null = null;
  try {
    migrate(url);

    // The lib references the server's users entity by name: a stub with just the key is enough here. (Decorators
    // applied by hand: TypeORM links decorated entities only to other decorated ones, not to EntitySchemas.)
    class UserEntity {
      id!: string;
    }
    Entity({ name: 'users' })(UserEntity);
    PrimaryColumn('uuid')(UserEntity.prototype, 'id');
    ds = new DataSource({
      type: 'postgres',
      url,
      entities: [...lib.ORG_DIRECTORY_ENTITIES, UserEntity],
      extra: { max: 4 },
    });
    await ds.initialize();
    const events: Emitter = { emit: () => true };
    const repo = new lib.DirectoryRepository(ds);
    const directory = new lib.DirectoryService(repo, events);
    const importer = new lib.DirectoryImportService(repo, events);
    const actor: Actor = { userId: uuid(), role: 'admin' };

    // ---- seed: a balanced tree 1 → 10 → 100 → 1,000 → 8,889 (10,000 departments by default, depth 5) ----
    const t0 = Date.now();
    type D = { id: string; parentId: string | null; path: string; depth: number; level: number };
    const depts: D[] = [];
    const add = (parent: D | null): D => {
      const id = uuid();
      const seg = id.replace(/-/g, '');
      const d = {
        id,
        parentId: parent?.id ?? null,
        path: parent ? `${parent.path}.${seg}` : seg,
        depth: (parent?.depth ?? 0) + 1,
        level: parent ? parent.level + 1 : 0,
      };
      depts.push(d);
      return d;
    };
    const top = add(null);
    const l1 = Array.from({ length: 10 }, () => add(top));
    const l2 = l1.flatMap((p) => Array.from({ length: 10 }, () => add(p)));
    const l3 = l2.flatMap((p) => Array.from({ length: 10 }, () => add(p)));
    const l4: D[] = [];
    for (let i = 0; depts.length < DEPARTMENTS; i++) l4.push(add(l3[i % l3.length]!));
    for (let i = 0; i < depts.length; i += 5000) {
      const c = depts.slice(i, i + 5000);
      await ds.query(
        `INSERT INTO departments (id, parent_id, path, depth, name, sort_order)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::int[])`,
        [
          c.map((d) => d.id),
          c.map((d) => d.parentId),
          c.map((d) => d.path),
          c.map((d) => d.depth),
          c.map((_, j) => `部门${i + j}`),
          c.map((_, j) => j),
        ],
      );
    }
    // ---- 100,000 people by default, each in one level-4 department, 10 % also in a second one ----
    const people: Array<{ id: string; name: string; no: string }> = [];
    for (let i = 0; i < PEOPLE; i++) {
      people.push({
        id: uuid(),
        name: pick(SURNAMES) + pick(GIVEN) + (rand() < 0.6 ? pick(GIVEN) : ''),
        no: `E${String(i).padStart(6, '0')}`,
      });
    }
    for (let i = 0; i < people.length; i += 5000) {
      const c = people.slice(i, i + 5000);
      await ds.query(
        `INSERT INTO users (id, login, display_name, employee_no, email, password_hash)
         SELECT i, l, n, e, l || '@example.com', '!' FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS x(i, l, n, e)`,
        [c.map((p) => p.id), c.map((p) => `u${p.no.toLowerCase()}`), c.map((p) => p.name), c.map((p) => p.no)],
      );
      const memberships = c.flatMap((p) => {
        const first = pick(l4);
        const rows = [{ p, d: first, primary: true }];
        if (rand() < 0.1) {
          const second = pick(l4);
          if (second !== first) rows.push({ p, d: second, primary: false });
        }
        return rows;
      });
      await ds.query(
        `INSERT INTO department_members (department_id, user_id, department_path, title, is_primary)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::boolean[])`,
        [
          memberships.map((m) => m.d.id),
          memberships.map((m) => m.p.id),
          memberships.map((m) => m.d.path),
          memberships.map(() => '工程师'),
          memberships.map((m) => m.primary),
        ],
      );
    }
    const seedMs = Date.now() - t0;
    const [indexMs, indexed] = await timed(() => repo.reindexStale());
    // The seed bypasses the service, so the stored org-chart counts are built the way an import builds them.
    const manager = ds.manager;
    const [countMs] = await timed(() => lib.recountAll(manager));
    await ds.query('ANALYZE');
    const terms = (
      (await ds.query(`SELECT count(*)::int AS n FROM directory_search_terms`)) as Array<{ n: number }>
    )[0]!.n;
    record(
      `seed (${int(DEPARTMENTS)} departments, ${int(PEOPLE)} people, ~${int(PEOPLE * 1.1)} memberships)`,
      `${(seedMs / 1000).toFixed(1)} s`,
    );
    record(`search index build (${indexed} people, ${terms} terms)`, `${(indexMs / 1000).toFixed(1)} s`);
    metrics.push({ name: 'search index build', value: indexMs / 1000, unit: 's', better: 'lower' });
    record('recount every department (stored org-chart counts)', `${(countMs / 1000).toFixed(2)} s`);

    // ---- subtree member listing (count + first page of 50, recursive) ----
    /** `key`: the metric's name when this listing is a headline figure. */
    const listing = async (label: string, id: string, as: Actor = actor, key?: string) => {
      const times: number[] = [];
      let total = 0;
      for (let i = 0; i < 21; i++) {
        const [ms, page] = await timed(() =>
          directory.departmentMembers(as, id, { recursive: true, limit: 50, offset: 0 }),
        );
        if (i > 0) times.push(ms);
        total = page.total;
      }
      times.sort((a, b) => a - b);
      if (key) metrics.push({ name: key, value: quantile(times, 0.5), unit: 'ms', better: 'lower' });
      record(
        `subtree listing, ${label} (${total.toLocaleString('en-US')} people)`,
        `p50 ${quantile(times, 0.5).toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`,
      );
    };
    await listing('root', top.id, actor, 'subtree listing, whole org, p50');
    const employee: Actor = { userId: people[0]!.id, role: 'member' };
    await listing('root, as an employee', top.id, employee, 'subtree listing, whole org as an employee, p50');
    await listing('level 1', l1[0]!.id);
    await listing('level 2 (mid)', l2[0]!.id, actor, 'subtree listing, level 2, p50');
    await listing('level 3', l3[0]!.id);

    // ---- move a ~1,000-department subtree (level 1 under another level 1) ----
    const moving = l1[1]!;
    const size = depts.filter((d) => d.path.startsWith(moving.path)).length;
    const [moveMs] = await timed(() => directory.moveDepartment(actor, moving.id, { parentId: l1[2]!.id }));
    metrics.push({ name: 'move a level-1 subtree', value: moveMs, unit: 'ms', better: 'lower' });
    record(
      `move a ${size.toLocaleString('en-US')}-department subtree (~${Math.round(size * 10).toLocaleString('en-US')} memberships)`,
      `${moveMs.toFixed(0)} ms`,
    );

    // ---- search ----
    await directory.search(actor, { q: 'warm', limit: 20, offset: 0 });
    const sample = Array.from({ length: QUERIES }, () => people[Math.floor(rand() * people.length)]!);
    const { pinyin } = (await import('pinyin-pro')) as typeof import('pinyin-pro');
    const py = (s: string, first: boolean) =>
      pinyin(s, { toneType: 'none', type: 'array', v: true, ...(first ? { pattern: 'first' } : {}) }).join('');
    const kinds: Array<[string, (p: (typeof people)[number]) => string]> = [
      ['full name (张伟)', (p) => p.name],
      ['surname only (张)', (p) => [...p.name][0]!],
      ['pinyin full (zhangwei)', (p) => py(p.name, false)],
      ['pinyin initials (zw)', (p) => py(p.name, true)],
      ['employee number, exact', (p) => p.no],
      ['employee number, prefix (E0012)', (p) => p.no.slice(0, 5)],
    ];
    for (const [label, query] of kinds) {
      const times: number[] = [];
      for (const p of sample) {
        const [ms] = await timed(() => directory.search(actor, { q: query(p), limit: 20, offset: 0 }));
        times.push(ms);
      }
      times.sort((a, b) => a - b);
      metrics.push({ name: `search: ${label}, p99`, value: quantile(times, 0.99), unit: 'ms', better: 'lower' });
      record(
        `search: ${label}, ${QUERIES} queries`,
        `p50 ${quantile(times, 0.5).toFixed(1)} ms, p99 ${quantile(times, 0.99).toFixed(1)} ms`,
      );
    }

    // ---- import a 10,000-row CSV (by default): 1,000 departments and 9,000 new people ----
    const importDepts = Math.floor(IMPORT_ROWS / 10);
    const header =
      'kind,code,name,name_en,parent_code,sort_order,login,display_name,employee_no,email,phone,department_code,title,manager_employee_no,primary';
    const lines = [header];
    for (let i = 0; i < importDepts; i++)
      lines.push(`department,IMP${i},导入部门${i},,${i < 10 ? '' : `IMP${Math.floor(i / 10) - 1}`},,,,,,,,,,`);
    for (let i = 0; i < IMPORT_ROWS - importDepts; i++) {
      const name = pick(SURNAMES) + pick(GIVEN) + pick(GIVEN);
      lines.push(
        `person,,,,,,imp${i},${name},I${String(i).padStart(6, '0')},imp${i}@example.com,,IMP${i % importDepts},专员,${i > 0 ? 'I000000' : ''},yes`,
      );
    }
    const csv = Buffer.from(lines.join('\n'));
    const [dryMs, dry] = await timed(() => importer.importFile(actor, 'csv', csv, true));
    if (!dry.ok) throw new Error(`bench import has errors: ${JSON.stringify(dry.errors.slice(0, 3))}`);
    const [importMs] = await timed(() => importer.importFile(actor, 'csv', csv, false));
    record(
      `import ${int(IMPORT_ROWS)}-row CSV (${(csv.length / 1024).toFixed(0)} KB), dry run`,
      `${(dryMs / 1000).toFixed(2)} s`,
    );
    record(`import ${int(IMPORT_ROWS)}-row CSV, real (one transaction)`, `${(importMs / 1000).toFixed(2)} s`);
    metrics.push({ name: 'CSV import, real (one transaction)', value: importMs / 1000, unit: 's', better: 'lower' });

    console.log(
      `\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${platform()} ${release()}, node ${process.version}`,
    );
    console.log(
      `postgres: ${((await ds.query('SHOW server_version')) as Array<{ server_version: string }>)[0]!.server_version}\n`,
    );
    console.log('| Measurement | Result |\n|---|---|');
    for (const [k, v] of results) console.log(`| ${k} | ${v} |`);
    report({
      bench: 'directory',
      settings: { departments: DEPARTMENTS, people: PEOPLE, queriesPerKind: QUERIES, importRows: IMPORT_ROWS },
      metrics,
    });
  } finally {
    if (ds?.isInitialized) await ds.destroy();
    // MIYU_BENCH_KEEP_DB=1 keeps the seeded database for looking at query plans (drop it yourself afterwards).
    if (process.env.MIYU_BENCH_KEEP_DB === '1') console.log(`kept database ${db.name}`);
    else await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
