// Deployment files checked without a Docker engine: docker/compose.yml, docker/Dockerfile, docker/nginx.conf
// and docker/.env.example against each other, the root package.json, CI, the server's config schema and the
// docs. Run: npx jest --selectProjects unit docker
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  checkCiRunsSameScripts,
  checkComposeShape,
  checkDependsOn,
  checkDockerfileBuild,
  checkGlibcBases,
  checkHealthchecks,
  checkInterpolations,
  checkManifestsCopiedBeforeInstall,
  checkNamedVolumes,
  checkNginxProxy,
  checkNginxSpa,
  checkNonRootUser,
  checkReplicas,
  checkServiceEnvKnown,
  checkServiceSources,
  composeServices,
  cspFromServerSource,
  dependsOn,
  type FileAccess,
  interpolationsIn,
  lastInstruction,
  parseDockerfile,
  parseEnvExample,
  parseEnvSchemaKeys,
  parseNginx,
  serviceEnvironment,
  stageEnv,
} from './compose-checks.js';

function findRepoRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${start}`);
    dir = parent;
  }
  return dir;
}

const ROOT = findRepoRoot(process.cwd());
const DOCKER_DIR = path.join(ROOT, 'docker');

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function mustRead(relative: string): string {
  const text = readText(path.join(ROOT, relative));
  if (text === null) throw new Error(`${relative} is missing`);
  return text;
}

const files: FileAccess = {
  composeDir: DOCKER_DIR,
  readText,
  isDirectory: (dir) => fs.existsSync(dir) && fs.statSync(dir).isDirectory(),
};

/**
 * The server's environment variables as documented (README, docs/configuration.md). Keep this list, the docs
 * and apps/server/src/config/env.schema.ts in step: the tests below compare all three.
 */
const DOCUMENTED_SERVER_ENV = [
  'NODE_ENV',
  'HOST',
  'PORT',
  'PUBLIC_URL',
  'DATABASE_URL',
  'DATA_DIR',
  'EMBEDDED_PG_PORT',
  'DB_POOL_SIZE',
  'REDIS_URL',
  'LOG_LEVEL',
  'WEB_DIST_DIR',
  'TRUST_PROXY',
  'SESSION_TTL_HOURS',
  'SESSION_IDLE_HOURS',
  'SETUP_TOKEN',
  'LOGIN_MAX_FAILURES',
  'LOGIN_LOCKOUT_MINUTES',
  'LOGIN_IP_LIMIT_PER_MINUTE',
  'API_RATE_LIMIT_PER_MINUTE',
  'SOCKET_EVENTS_PER_SECOND',
  'SOCKET_EVENT_BURST',
  'PASSWORD_HASH_MEMORY_MIB',
  'PASSWORD_HASH_ITERATIONS',
  'METRICS_TOKEN',
  'MIGRATE_ON_START',
  'SHUTDOWN_GRACE_MS',
  'ATTACHMENT_MAX_BYTES',
  'FILES_DIR',
] as const;
const DOCUMENTED = new Set<string>(DOCUMENTED_SERVER_ENV);

/** A CSP for the negative tests (the real one is read from the server's source). */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'";

const ENV_SCHEMA = 'apps/server/src/config/env.schema.ts';
const SERVER_SECURITY_HEADERS = 'apps/server/src/common/http/security-headers.ts';

const compose: unknown = parseYaml(mustRead('docker/compose.yml'));
const services = composeServices(compose);
const service = (name: string): Record<string, unknown> => {
  const found = services.get(name);
  if (found === undefined) throw new Error(`compose.yml has no service "${name}"`);
  return found;
};
const envExample = parseEnvExample(mustRead('docker/.env.example'));
const stages = parseDockerfile(mustRead('docker/Dockerfile'));
const nginx = parseNginx(mustRead('docker/nginx.conf'));
const rootPackage = JSON.parse(mustRead('package.json')) as { scripts?: Record<string, string>; workspaces?: string[] };
const rootScripts = rootPackage.scripts ?? {};

/** Workspace folders from the root package.json globs (`libs/*`, `apps/*`) that hold a package.json. */
function workspaceDirs(): string[] {
  return (rootPackage.workspaces ?? []).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return fs
      .readdirSync(path.join(ROOT, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(ROOT, parent, entry.name, 'package.json')))
      .map((entry) => `${parent}/${entry.name}`);
  });
}

describe('docker/compose.yml', () => {
  it('is a compose document with the services of the deployment', () => {
    expect(checkComposeShape(compose)).toEqual([]);
    expect([...services.keys()].sort()).toEqual(['migrate', 'postgres', 'redis', 'server', 'web']);
  });

  it('gives every service an image or a build whose context, Dockerfile and target exist', () => {
    expect(checkServiceSources(compose, files)).toEqual([]);
    expect(service('server')['build']).toMatchObject({ target: 'server' });
    expect(service('migrate')['build']).toMatchObject({ target: 'server' });
    expect(service('web')['build']).toMatchObject({ target: 'web' });
  });

  it('names existing services with valid conditions in every depends_on', () => {
    expect(checkDependsOn(compose)).toEqual([]);
  });

  it('migrates once before any server starts', () => {
    expect(service('migrate')['command']).toEqual(['node', 'apps/server/dist/cli/migrate.js']);
    expect(service('migrate')['restart']).toBe('no');
    expect(dependsOn(service('migrate')).get('postgres')).toBe('service_healthy');
    expect(dependsOn(service('server')).get('migrate')).toBe('service_completed_successfully');
    expect(dependsOn(service('server')).get('redis')).toBe('service_healthy');
    expect(dependsOn(service('web')).get('server')).toBe('service_healthy');
    expect(serviceEnvironment(service('server')).get('MIGRATE_ON_START')).toBe('false');
  });

  it('takes every interpolated variable from .env.example or a default, and .env.example has no strays', () => {
    expect(checkInterpolations(compose, envExample)).toEqual([]);
  });

  it('sets only documented server variables on the services that run the server image', () => {
    expect(checkServiceEnvKnown(compose, ['server', 'migrate'], DOCUMENTED, 'the documented server variables')).toEqual(
      [],
    );
  });

  it('sets only variables that the server config schema declares', () => {
    const schema = readText(path.join(ROOT, ENV_SCHEMA));
    if (schema === null) {
      throw new Error(
        `${ENV_SCHEMA} does not exist (yet). The server's zod environment schema is expected there (ARCHITECTURE §2); ` +
          'this test compares compose.yml and the documented variables with its keys.',
      );
    }
    const keys = parseEnvSchemaKeys(schema);
    expect(checkServiceEnvKnown(compose, ['server', 'migrate'], keys, ENV_SCHEMA)).toEqual([]);
    // Documented == declared: a new variable needs docs (README tables, docs/configuration.md, this list).
    expect({ undocumented: [...keys].filter((key) => !DOCUMENTED.has(key)).sort() }).toEqual({ undocumented: [] });
    expect({ notInSchema: DOCUMENTED_SERVER_ENV.filter((key) => !keys.has(key)) }).toEqual({ notInSchema: [] });
  });

  it('runs the server as at least two replicas joined by Redis, behind nginx', () => {
    expect(checkReplicas(compose, 'server', 2)).toEqual([]);
    const env = serviceEnvironment(service('server'));
    expect(env.get('REDIS_URL')).toBe('redis://redis:6379');
    expect(env.get('WEB_DIST_DIR')).toBe('');
    expect(env.get('TRUST_PROXY')).toMatch(/^\$\{TRUST_PROXY:-1\}$|^1$/);
    expect(env.get('DATABASE_URL')).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    expect(service('server')['ports']).toBeUndefined();
    expect(service('web')['ports']).toEqual(['${MIYU_HTTP_PORT:-8080}:8080']);
  });

  it('declares the named volumes it uses', () => {
    expect(checkNamedVolumes(compose)).toEqual([]);
  });

  it('has healthchecks for postgres, redis, server and web', () => {
    expect(checkHealthchecks(compose, ['postgres', 'redis', 'server', 'web'])).toEqual([]);
  });
});

describe('docker/Dockerfile', () => {
  it('has server and web targets on glibc bases', () => {
    expect(stages.map((stage) => stage.name)).toEqual(expect.arrayContaining(['build', 'server', 'web']));
    expect(checkGlibcBases(stages)).toEqual([]);
    expect(stages.find((stage) => stage.name === 'server')?.from).toBe('node:20-bookworm-slim');
  });

  it.each(['server', 'web'])('builds the %s target with the npm scripts CI runs', (target) => {
    expect(checkDockerfileBuild(stages, target, rootScripts)).toEqual([]);
  });

  it('uses the scripts that .ci/run and scripts/test-all.mjs run', () => {
    expect(
      checkCiRunsSameScripts(
        readText(path.join(ROOT, '.ci/run')),
        readText(path.join(ROOT, 'scripts/test-all.mjs')),
        rootScripts,
      ),
    ).toEqual([]);
  });

  it('copies every workspace manifest before npm ci', () => {
    const dirs = workspaceDirs();
    expect(dirs).toEqual(expect.arrayContaining(['apps/server', 'apps/web']));
    expect(checkManifestsCopiedBeforeInstall(stages, 'server', dirs)).toEqual([]);
  });

  it('runs the server as a non-root user with the documented runtime settings', () => {
    expect(checkNonRootUser(stages, 'server')).toEqual([]);
    expect(lastInstruction(stages, 'server', 'WORKDIR')?.args).toBe('/app');
    expect(lastInstruction(stages, 'server', 'EXPOSE')?.args).toBe('8080');
    expect(lastInstruction(stages, 'server', 'HEALTHCHECK')?.args).toContain('/health/live');
    expect(JSON.parse(lastInstruction(stages, 'server', 'CMD')?.args ?? 'null')).toEqual([
      'node',
      'apps/server/dist/main.js',
    ]);
    const env = stageEnv(stages, 'server');
    expect(env.get('NODE_ENV')).toBe('production');
    expect(env.get('WEB_DIST_DIR')).toBe('');
    for (const key of env.keys()) expect(DOCUMENTED.has(key) ? key : `undocumented ${key}`).toBe(key);
  });

  it('serves the built web app with docker/nginx.conf from an unprivileged nginx', () => {
    const web = stages.find((stage) => stage.name === 'web');
    expect(web?.from).toMatch(/^nginxinc\/nginx-unprivileged:/);
    const copies =
      web?.instructions
        .filter((instruction) => instruction.keyword === 'COPY')
        .map((instruction) => instruction.args) ?? [];
    expect(copies).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^docker\/nginx\.conf /),
        expect.stringMatching(/^--from=build \/app\/apps\/web\/dist\/? /),
      ]),
    );
  });
});

describe('docker/nginx.conf', () => {
  it('proxies /api, /health, /hooks and /socket.io to sticky server replicas, with WebSocket upgrades', () => {
    expect(
      checkNginxProxy(nginx, {
        proxied: ['/api', '/health', '/hooks', '/socket.io'],
        websocket: ['/socket.io'],
        websocketReadTimeoutSeconds: 300,
      }),
    ).toEqual([]);
  });

  it('serves the SPA with history fallback and the CSP the server sends', () => {
    const source = readText(path.join(ROOT, SERVER_SECURITY_HEADERS));
    const serverCsp = source === null ? null : cspFromServerSource(source);
    if (serverCsp === null) {
      throw new Error(
        `cannot read the server's CSP: no CONTENT_SECURITY_POLICY object literal in ${SERVER_SECURITY_HEADERS}`,
      );
    }
    expect(serverCsp).toContain("'wasm-unsafe-eval'");
    expect(checkNginxSpa(nginx, serverCsp)).toEqual([]);
  });
});

describe('documentation', () => {
  it.each(['README.md', 'README.zh-CN.md', 'docs/configuration.md'])('%s documents every server variable', (doc) => {
    const text = mustRead(doc);
    expect(DOCUMENTED_SERVER_ENV.filter((key) => !text.includes(`\`${key}\``))).toEqual([]);
  });
});

describe('the checks reject broken input', () => {
  const doc = (yaml: string): unknown => parseYaml(yaml);

  it('flags a depends_on to a missing service, a bad condition, an unhealthy wait and a cycle', () => {
    const broken = doc(`
services:
  a: { image: x, depends_on: { ghost: { condition: service_healthy } } }
  b: { image: x, depends_on: { a: { condition: service_ready } } }
  c: { image: x, depends_on: { a: { condition: service_healthy } } }
  d: { image: x, depends_on: [e] }
  e: { image: x, depends_on: [d] }
`);
    expect(checkDependsOn(broken)).toEqual([
      'service "a" depends on "ghost", which is not a service',
      'service "b" depends on "a" with invalid condition "service_ready"',
      'service "c" waits for "a" to be healthy, but "a" has no healthcheck',
      'depends_on cycle: d -> e -> d',
    ]);
  });

  it('flags a service without image or build, and a build target that is no stage', () => {
    const broken = doc(`
services:
  nothing: { restart: always }
  wrong-target: { build: { context: .., dockerfile: docker/Dockerfile, target: debug } }
  wrong-file: { build: { context: .., dockerfile: docker/Nope } }
`);
    expect(checkServiceSources(broken, files)).toEqual([
      'service "nothing" has neither an image nor a build',
      'service "wrong-target": build target "debug" is no "FROM ... AS" stage of docker/Dockerfile',
      'service "wrong-file": Dockerfile docker/Nope not found in its build context',
    ]);
  });

  it('flags interpolations without a default or .env.example entry, and unused .env.example entries', () => {
    const broken = doc(`
services:
  a:
    image: "x:\${TAG}"
    environment: ["PASSWORD=\${DB_PASSWORD:?required}", "LEVEL=\${LEVEL:-info}", "ESCAPED=$$HOME", SECRET]
`);
    const env = parseEnvExample('DB_PASSWORD=\n# UNUSED=1\n');
    expect(checkInterpolations(broken, env)).toEqual([
      '${TAG} has no default and TAG is not defined in .env.example',
      'pass-through variable SECRET is not documented in .env.example',
      '.env.example mentions UNUSED, which compose.yml never uses',
    ]);
    expect(interpolationsIn('a $$b ${C:-${D}} $E').map((found) => found.name)).toEqual(['C', 'D', 'E']);
  });

  it('flags unknown environment variables, too few replicas, undeclared volumes and missing healthchecks', () => {
    const broken = doc(`
services:
  server:
    image: x
    environment: { PORT: 8080, DATABSE_URL: "postgres://" }
    deploy: { replicas: 1 }
    volumes: [data:/data, ./local:/local]
    healthcheck: { disable: true }
volumes:
  unused: {}
`);
    expect(checkServiceEnvKnown(broken, ['server'], DOCUMENTED, 'the list')).toEqual([
      'service "server" sets DATABSE_URL, which is not in the list',
    ]);
    expect(checkReplicas(broken, 'server', 2)).toEqual(['service "server" needs deploy.replicas >= 2, has 1']);
    expect(checkNamedVolumes(broken)).toEqual([
      'service "server" uses volume "data", which is not declared under volumes',
      'volume "unused" is declared but unused',
    ]);
    expect(checkHealthchecks(broken, ['server', 'web'])).toEqual([
      'service "server" has no healthcheck',
      'service "web" does not exist',
    ]);
  });

  it('flags a Dockerfile that installs without the lockfile, runs as root, skips a manifest or uses Alpine', () => {
    const broken = parseDockerfile(`
FROM node:20-alpine AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install
COPY . .
RUN npm run compile
FROM node:20-alpine AS server
COPY --from=build /app /app
CMD ["node", "main.js"]
`);
    expect(checkDockerfileBuild(broken, 'server', rootScripts)).toEqual([
      'target "server" is not built with "npm ci"',
      'target "server" is not built with "npm run build"',
      '"npm install" installs without the lockfile: use "npm ci"',
      '"npm run compile" names no script of the root package.json',
    ]);
    expect(checkNonRootUser(broken, 'server')).toEqual(['stage "server" sets no USER, so it runs as root']);
    expect(checkNonRootUser(parseDockerfile('FROM x AS server\nUSER node\nUSER root\n'), 'server')).toEqual([
      'stage "server" runs as root (USER root)',
    ]);
    expect(
      checkManifestsCopiedBeforeInstall(parseDockerfile('FROM x AS s\nCOPY package.json ./\nRUN npm ci\n'), 's', [
        'apps/web',
      ]),
    ).toEqual([
      'package-lock.json is not copied before "npm ci" in stage "s"',
      'apps/web/package.json is not copied before "npm ci" in stage "s"',
    ]);
    expect(checkGlibcBases(broken)).toEqual([
      'stage "build" is based on node:20-alpine: use a glibc (Debian) image',
      'stage "server" is based on node:20-alpine: use a glibc (Debian) image',
    ]);
  });

  it('flags CI that does not run the same scripts', () => {
    expect(checkCiRunsSameScripts('npm install\nnpm run lint\n', 'run("npx", ["jest"])', { test: 'jest' })).toEqual([
      '.ci/run does not run "npm ci"',
      '.ci/run does not run "npm test"',
      'the root package.json has no "build" script',
      '"npm test" (jest) does not run scripts/test-all.mjs',
      'scripts/test-all.mjs does not run "npm run build"',
    ]);
    expect(checkCiRunsSameScripts(null, null, {})).toEqual(
      expect.arrayContaining(['.ci/run does not exist', 'scripts/test-all.mjs does not exist']),
    );
  });

  it('flags nginx without sticky sessions, WebSocket headers, a proxy location or the CSP', () => {
    const broken = parseNginx(`
upstream app { server server:8080; }
server {
  proxy_set_header Host $host;
  location /api/ { proxy_pass http://app; }
  location /socket.io/ { proxy_pass http://app; proxy_set_header X-Real-IP $remote_addr; }
  location / { add_header Content-Security-Policy "default-src *"; try_files $uri $uri/ =404; }
}
`);
    expect(
      checkNginxProxy(broken, {
        proxied: ['/api', '/socket.io', '/hooks'],
        websocket: ['/socket.io'],
        websocketReadTimeoutSeconds: 300,
      }),
    ).toEqual([
      'upstream app (used by /api/) has no ip_hash: sessions are not sticky',
      'upstream app (used by /socket.io/) has no ip_hash: sessions are not sticky',
      'location /socket.io/ does not pass "Upgrade: $http_upgrade"',
      'location /socket.io/ does not pass a Connection header for upgrades',
      'location /socket.io/ needs proxy_http_version 1.1 for WebSocket',
      'location /socket.io/ has proxy_read_timeout 60s, below 300s',
      'no location for /hooks',
    ]);
    expect(checkNginxSpa(broken, CSP)).toEqual([
      'location / does not fall back to /index.html (history routing)',
      `location / sends CSP "default-src *", expected "${CSP}"`,
    ]);
  });

  it('reads the server CSP from source and compares policies by meaning', () => {
    const source = `export const CONTENT_SECURITY_POLICY: Record<string, string[]> = {
  'default-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
};`;
    expect(cspFromServerSource(source)).toBe("default-src 'self'; img-src 'self' data:");
    expect(cspFromServerSource('export const OTHER = {};')).toBeNull();
    const tree = (csp: string) =>
      parseNginx(`server { location / { add_header Content-Security-Policy "${csp}"; try_files $uri /index.html; } }`);
    expect(
      checkNginxSpa(tree("img-src 'self'  data:; default-src 'self'"), "default-src 'self'; img-src 'self' data:"),
    ).toEqual([]);
    expect(checkNginxSpa(tree("default-src 'self'"), "default-src 'self'; img-src 'self' data:")).toHaveLength(1);
  });

  it('reads the keys of a zod environment schema', () => {
    const keys = parseEnvSchemaKeys(`
export const envSchema = z.object({
  // NOTE: comments are not keys
  PORT: z.coerce.number().default(8080),
  'LOG_LEVEL': z.enum(['debug', 'info']).default('info'),
  nested: { notAKey: 1 },
});`);
    expect([...keys]).toEqual(['PORT', 'LOG_LEVEL']);
  });
});
