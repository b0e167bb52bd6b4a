// Small, pure checks over the deployment files (docker/compose.yml, docker/Dockerfile, docker/nginx.conf,
// docker/.env.example). Each check returns a list of problems: empty means the input passes. The spec feeds
// them the real files and deliberately broken ones. Files are read by the caller; only path arithmetic here.
import * as path from 'node:path';

export type Problems = string[];

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------
// Compose document

export const DEPENDS_ON_CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'] as const;

/** The `services` mapping, or an empty one when the document has none. */
export function composeServices(doc: unknown): Map<string, Dict> {
  const services = new Map<string, Dict>();
  if (isDict(doc) && isDict(doc['services'])) {
    for (const [name, service] of Object.entries(doc['services'])) {
      services.set(name, isDict(service) ? service : {});
    }
  }
  return services;
}

export function checkComposeShape(doc: unknown): Problems {
  if (!isDict(doc)) return ['the compose document is not a mapping'];
  if (!isDict(doc['services']) || Object.keys(doc['services']).length === 0) return ['no services are defined'];
  const problems: Problems = [];
  for (const [name, service] of Object.entries(doc['services'])) {
    if (!isDict(service)) problems.push(`service "${name}" is not a mapping`);
  }
  return problems;
}

export interface BuildSpec {
  context: string;
  dockerfile: string;
  target: string | null;
}

export function buildSpec(service: Dict): BuildSpec | null {
  const build = service['build'];
  if (typeof build === 'string') return { context: build, dockerfile: 'Dockerfile', target: null };
  if (!isDict(build)) return null;
  return {
    context: typeof build['context'] === 'string' ? build['context'] : '.',
    dockerfile: typeof build['dockerfile'] === 'string' ? build['dockerfile'] : 'Dockerfile',
    target: typeof build['target'] === 'string' ? build['target'] : null,
  };
}

export interface FileAccess {
  /** Directory of the compose file: relative build contexts resolve against it. */
  composeDir: string;
  readText(absolutePath: string): string | null;
  isDirectory(absolutePath: string): boolean;
}

/** Every service has an image or a build; a build's context, Dockerfile and target stage exist. */
export function checkServiceSources(doc: unknown, files: FileAccess): Problems {
  const problems: Problems = [];
  for (const [name, service] of composeServices(doc)) {
    const build = buildSpec(service);
    const image = service['image'];
    if (build === null && (typeof image !== 'string' || image.trim() === '')) {
      problems.push(`service "${name}" has neither an image nor a build`);
      continue;
    }
    if (build === null) continue;
    const context = path.resolve(files.composeDir, build.context);
    if (!files.isDirectory(context)) {
      problems.push(`service "${name}": build context ${build.context} is not a directory`);
      continue;
    }
    const dockerfile = files.readText(path.resolve(context, build.dockerfile));
    if (dockerfile === null) {
      problems.push(`service "${name}": Dockerfile ${build.dockerfile} not found in its build context`);
      continue;
    }
    if (build.target !== null) {
      const targets = parseDockerfile(dockerfile).map((stage) => stage.name);
      if (!targets.includes(build.target)) {
        problems.push(
          `service "${name}": build target "${build.target}" is no "FROM ... AS" stage of ${build.dockerfile}`,
        );
      }
    }
  }
  return problems;
}

/** depends_on as a map of dependency name to condition (the short list form means service_started). */
export function dependsOn(service: Dict): Map<string, unknown> {
  const deps = new Map<string, unknown>();
  const raw = service['depends_on'];
  if (Array.isArray(raw)) {
    for (const dep of raw) deps.set(String(dep), 'service_started');
  } else if (isDict(raw)) {
    for (const [dep, spec] of Object.entries(raw)) {
      deps.set(dep, isDict(spec) ? (spec['condition'] ?? 'service_started') : spec);
    }
  }
  return deps;
}

export function healthcheckOf(service: Dict): Dict | null {
  const healthcheck = service['healthcheck'];
  if (!isDict(healthcheck) || healthcheck['disable'] === true) return null;
  const test = healthcheck['test'];
  if (typeof test === 'string' && test.trim() !== '') return healthcheck;
  if (Array.isArray(test) && test.length > 1 && test[0] !== 'NONE') return healthcheck;
  return null;
}

/** Every dependency exists, has a valid condition, is healthy-able when waited on as healthy; no cycles. */
export function checkDependsOn(doc: unknown): Problems {
  const problems: Problems = [];
  const services = composeServices(doc);
  for (const [name, service] of services) {
    for (const [dep, condition] of dependsOn(service)) {
      const target = services.get(dep);
      if (target === undefined) {
        problems.push(`service "${name}" depends on "${dep}", which is not a service`);
        continue;
      }
      if (typeof condition !== 'string' || !(DEPENDS_ON_CONDITIONS as readonly string[]).includes(condition)) {
        problems.push(`service "${name}" depends on "${dep}" with invalid condition ${JSON.stringify(condition)}`);
        continue;
      }
      if (condition === 'service_healthy' && healthcheckOf(target) === null) {
        problems.push(`service "${name}" waits for "${dep}" to be healthy, but "${dep}" has no healthcheck`);
      }
      if (
        condition === 'service_completed_successfully' &&
        target['restart'] !== 'no' &&
        target['restart'] !== undefined
      ) {
        problems.push(
          `service "${name}" waits for "${dep}" to complete, but "${dep}" restarts (${String(target['restart'])})`,
        );
      }
    }
  }
  // Cycles: compose refuses them at start-up.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      problems.push(`depends_on cycle: ${[...trail.slice(trail.indexOf(name)), name].join(' -> ')}`);
      return;
    }
    state.set(name, 'visiting');
    const service = services.get(name);
    if (service !== undefined) {
      for (const dep of dependsOn(service).keys()) if (services.has(dep)) visit(dep, [...trail, name]);
    }
    state.set(name, 'done');
  };
  for (const name of services.keys()) visit(name, []);
  return problems;
}

export interface Interpolation {
  name: string;
  /** '', ':-', '-', ':?', '?', ':+' or '+' */
  operator: string;
  raw: string;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Every `${VAR...}` and `$VAR` in a string, as compose interpolates them (`$$` is a literal dollar). */
export function interpolationsIn(text: string): Interpolation[] {
  const found: Interpolation[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '$') {
      i += 1;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      i += 2;
      continue;
    }
    if (next === '{') {
      let depth = 1;
      let j = i + 2;
      while (j < text.length && depth > 0) {
        if (text[j] === '{') depth += 1;
        else if (text[j] === '}') depth -= 1;
        j += 1;
      }
      const body = text.slice(i + 2, depth === 0 ? j - 1 : j);
      const match = /^([A-Za-z_][A-Za-z0-9_]*)(:-|-|:\?|\?|:\+|\+)?([\s\S]*)$/.exec(body);
      if (match?.[1] !== undefined) {
        found.push({ name: match[1], operator: match[2] ?? '', raw: text.slice(i, j) });
        // A default may itself interpolate (`${A:-${B}}`).
        if (match[3]) found.push(...interpolationsIn(match[3]));
      } else {
        found.push({ name: '', operator: '', raw: text.slice(i, j) });
      }
      i = j;
      continue;
    }
    if (next !== undefined && NAME_START.test(next)) {
      let j = i + 1;
      while (j < text.length && NAME_CHAR.test(text[j] ?? '')) j += 1;
      found.push({ name: text.slice(i + 1, j), operator: '', raw: text.slice(i, j) });
      i = j;
      continue;
    }
    i += 1;
  }
  return found;
}

/** Interpolations anywhere in the document's values (compose does not interpolate keys). */
export function interpolationsInDocument(doc: unknown): Interpolation[] {
  const found: Interpolation[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') found.push(...interpolationsIn(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (isDict(value)) Object.values(value).forEach(walk);
  };
  walk(doc);
  return found;
}

export interface EnvExample {
  /** KEY=value lines. */
  defined: Map<string, string>;
  /** Defined keys and `# KEY=value` lines (documented, left at their default). */
  documented: Set<string>;
}

export function parseEnvExample(text: string): EnvExample {
  const defined = new Map<string, string>();
  const documented = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const active = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (active?.[1] !== undefined) {
      defined.set(active[1], (active[2] ?? '').trim());
      documented.add(active[1]);
      continue;
    }
    const commented = /^\s*#\s*([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (commented?.[1] !== undefined) documented.add(commented[1]);
  }
  return { defined, documented };
}

/** A service's environment: list or mapping form. `null` means "passed through from the shell/env file". */
export function serviceEnvironment(service: Dict): Map<string, string | null> {
  const env = new Map<string, string | null>();
  const raw = service['environment'];
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const text = String(entry);
      const eq = text.indexOf('=');
      if (eq === -1) env.set(text.trim(), null);
      else env.set(text.slice(0, eq).trim(), text.slice(eq + 1));
    }
  } else if (isDict(raw)) {
    for (const [key, value] of Object.entries(raw)) env.set(key, value === null ? null : String(value));
  }
  return env;
}

/** Names compose takes from the environment: interpolations and bare pass-through entries. */
function passThroughNames(doc: unknown): Set<string> {
  const names = new Set<string>();
  for (const service of composeServices(doc).values()) {
    for (const [key, value] of serviceEnvironment(service)) if (value === null) names.add(key);
  }
  return names;
}

/**
 * Every interpolation has a default or is defined in .env.example; every pass-through variable is documented
 * there; and .env.example mentions nothing compose does not use (a typo there would silently do nothing).
 */
export function checkInterpolations(doc: unknown, envExample: EnvExample): Problems {
  const problems: Problems = [];
  const used = new Set<string>();
  for (const { name, operator, raw } of interpolationsInDocument(doc)) {
    if (name === '') {
      problems.push(`malformed interpolation ${raw}`);
      continue;
    }
    used.add(name);
    const hasFallback = operator === ':-' || operator === '-' || operator === ':+' || operator === '+';
    if (!hasFallback && !envExample.defined.has(name)) {
      problems.push(`${raw} has no default and ${name} is not defined in .env.example`);
    }
  }
  for (const name of passThroughNames(doc)) {
    used.add(name);
    if (!envExample.documented.has(name))
      problems.push(`pass-through variable ${name} is not documented in .env.example`);
  }
  for (const name of envExample.documented) {
    if (!used.has(name)) problems.push(`.env.example mentions ${name}, which compose.yml never uses`);
  }
  return [...new Set(problems)];
}

/** Every variable the given services set is one the server knows. */
export function checkServiceEnvKnown(
  doc: unknown,
  serviceNames: string[],
  known: ReadonlySet<string>,
  knownFrom: string,
): Problems {
  const problems: Problems = [];
  const services = composeServices(doc);
  for (const name of serviceNames) {
    const service = services.get(name);
    if (service === undefined) {
      problems.push(`service "${name}" does not exist`);
      continue;
    }
    for (const key of serviceEnvironment(service).keys()) {
      if (!known.has(key)) problems.push(`service "${name}" sets ${key}, which is not in ${knownFrom}`);
    }
  }
  return problems;
}

export function checkReplicas(doc: unknown, serviceName: string, minimum: number): Problems {
  const service = composeServices(doc).get(serviceName);
  if (service === undefined) return [`service "${serviceName}" does not exist`];
  const deploy = service['deploy'];
  const replicas = isDict(deploy) ? deploy['replicas'] : undefined;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < minimum) {
    return [`service "${serviceName}" needs deploy.replicas >= ${minimum}, has ${JSON.stringify(replicas)}`];
  }
  if (service['container_name'] !== undefined)
    return [`service "${serviceName}" sets container_name, which prevents replicas`];
  return [];
}

/** Named volumes used by services are declared at the top level, and declared ones are used. */
export function checkNamedVolumes(doc: unknown): Problems {
  const problems: Problems = [];
  const declared = new Set(isDict(doc) && isDict(doc['volumes']) ? Object.keys(doc['volumes']) : []);
  const used = new Set<string>();
  for (const [name, service] of composeServices(doc)) {
    const volumes = service['volumes'];
    if (!Array.isArray(volumes)) continue;
    for (const volume of volumes) {
      let source: string | null = null;
      if (typeof volume === 'string') {
        const first = volume.split(':')[0] ?? '';
        // A bind mount is a path; a single segment is a named volume; no colon is an anonymous volume.
        if (volume.includes(':') && !/^[./~]/.test(first) && !first.includes('/') && !first.startsWith('$'))
          source = first;
      } else if (isDict(volume) && volume['type'] === 'volume' && typeof volume['source'] === 'string') {
        source = volume['source'];
      }
      if (source === null) continue;
      used.add(source);
      if (!declared.has(source))
        problems.push(`service "${name}" uses volume "${source}", which is not declared under volumes`);
    }
  }
  for (const name of declared) if (!used.has(name)) problems.push(`volume "${name}" is declared but unused`);
  return problems;
}

export function checkHealthchecks(doc: unknown, serviceNames: string[]): Problems {
  const services = composeServices(doc);
  return serviceNames.flatMap((name) => {
    const service = services.get(name);
    if (service === undefined) return [`service "${name}" does not exist`];
    return healthcheckOf(service) === null ? [`service "${name}" has no healthcheck`] : [];
  });
}

// ---------------------------------------------------------------------------------------------------------
// Dockerfile

export interface DockerInstruction {
  keyword: string;
  args: string;
  line: number;
}

export interface DockerStage {
  name: string | null;
  from: string;
  instructions: DockerInstruction[];
}

/** Stages with their instructions; comments dropped, line continuations joined. */
export function parseDockerfile(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  const lines = text.split(/\r?\n/);
  let pending = '';
  let pendingLine = 0;
  const flush = (): void => {
    const joined = pending.trim();
    pending = '';
    if (joined === '') return;
    const match = /^(\S+)\s*([\s\S]*)$/.exec(joined);
    if (match?.[1] === undefined) return;
    const instruction: DockerInstruction = {
      keyword: match[1].toUpperCase(),
      args: (match[2] ?? '').trim(),
      line: pendingLine,
    };
    if (instruction.keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(instruction.args);
      stages.push({ name: from?.[2] ?? null, from: from?.[1] ?? '', instructions: [instruction] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  };
  lines.forEach((line, index) => {
    if (pending === '' && /^\s*#/.test(line)) return; // comment or parser directive
    if (pending !== '' && /^\s*#/.test(line)) return; // comment inside a continued instruction
    if (pending === '') pendingLine = index + 1;
    if (/\\\s*$/.test(line)) {
      pending += line.replace(/\\\s*$/, ' ');
    } else {
      pending += line;
      flush();
    }
  });
  flush();
  return stages;
}

/** The shell commands of a RUN instruction: flags dropped, split on && ; || and normalised. */
export function runCommands(instruction: DockerInstruction): string[] {
  if (instruction.keyword !== 'RUN') return [];
  let args = instruction.args;
  while (/^--\S+/.test(args)) args = args.replace(/^--\S+\s*/, '');
  if (args.startsWith('[')) {
    try {
      const argv: unknown = JSON.parse(args);
      if (Array.isArray(argv)) return [argv.map(String).join(' ')];
    } catch {
      // not JSON: treat as shell form
    }
  }
  return args
    .split(/&&|\|\||;/)
    .map((command) => command.replace(/\s+/g, ' ').trim())
    .filter((command) => command !== '');
}

export function stageByName(stages: DockerStage[], name: string): DockerStage | undefined {
  return stages.find((stage) => stage.name === name);
}

/** The stage and every stage it builds on: its FROM parent and COPY --from sources, transitively. */
export function stageClosure(stages: DockerStage[], name: string): DockerStage[] {
  const seen = new Set<DockerStage>();
  const visit = (stage: DockerStage | undefined): void => {
    if (stage === undefined || seen.has(stage)) return;
    seen.add(stage);
    visit(stageByName(stages, stage.from));
    for (const instruction of stage.instructions) {
      const from = /--from=(\S+)/.exec(instruction.args);
      if (instruction.keyword === 'COPY' && from?.[1] !== undefined) visit(stageByName(stages, from[1]));
    }
  };
  visit(stageByName(stages, name));
  return stages.filter((stage) => seen.has(stage));
}

/**
 * The image is built by the project's own npm scripts: `npm ci` then `npm run build`, both real root scripts,
 * and no `npm install` that would ignore the lockfile.
 */
export function checkDockerfileBuild(
  stages: DockerStage[],
  target: string,
  rootScripts: Record<string, string>,
): Problems {
  const problems: Problems = [];
  if (stageByName(stages, target) === undefined) return [`no "FROM ... AS ${target}" stage`];
  const commands = stageClosure(stages, target).flatMap((stage) => stage.instructions.flatMap(runCommands));
  const ci = commands.indexOf('npm ci');
  const build = commands.indexOf('npm run build');
  if (ci === -1) problems.push(`target "${target}" is not built with "npm ci"`);
  if (build === -1) problems.push(`target "${target}" is not built with "npm run build"`);
  if (ci !== -1 && build !== -1 && build < ci) problems.push(`target "${target}" runs "npm run build" before "npm ci"`);
  for (const command of commands) {
    const run = /^npm run (\S+)/.exec(command);
    if (run?.[1] !== undefined && rootScripts[run[1]] === undefined) {
      problems.push(`"${command}" names no script of the root package.json`);
    }
    if (/^npm (install|i|add)(\s|$)/.test(command) && !/\s(-g|--global)(\s|$)/.test(command)) {
      problems.push(`"${command}" installs without the lockfile: use "npm ci"`);
    }
  }
  return problems;
}

/** CI runs the same scripts: .ci/run does `npm ci` and `npm test`, and `npm test` includes the build. */
export function checkCiRunsSameScripts(
  ciRun: string | null,
  testAll: string | null,
  rootScripts: Record<string, string>,
): Problems {
  const problems: Problems = [];
  if (ciRun === null) problems.push('.ci/run does not exist');
  else {
    if (!/(^|[\s;&|])npm ci(\s|$)/m.test(ciRun)) problems.push('.ci/run does not run "npm ci"');
    if (!/(^|[\s;&|])npm (run )?test(\s|$)/m.test(ciRun)) problems.push('.ci/run does not run "npm test"');
  }
  if (rootScripts['build'] === undefined) problems.push('the root package.json has no "build" script');
  const test = rootScripts['test'];
  if (test === undefined) problems.push('the root package.json has no "test" script');
  else if (!test.includes('scripts/test-all.mjs'))
    problems.push(`"npm test" (${test}) does not run scripts/test-all.mjs`);
  if (testAll === null) problems.push('scripts/test-all.mjs does not exist');
  else if (!/\brun\b['"]?\s*[,\s]\s*['"]?build\b/.test(testAll))
    problems.push('scripts/test-all.mjs does not run "npm run build"');
  return problems;
}

/** The stage's effective USER (following FROM <stage> parents) is set and is not root. */
export function checkNonRootUser(stages: DockerStage[], name: string): Problems {
  let stage = stageByName(stages, name);
  const seen = new Set<DockerStage>();
  while (stage !== undefined && !seen.has(stage)) {
    seen.add(stage);
    const users = stage.instructions.filter((instruction) => instruction.keyword === 'USER');
    const last = users[users.length - 1];
    if (last !== undefined) {
      const user = last.args.split(':')[0]?.trim() ?? '';
      return user === 'root' || user === '0' || user === '' ? [`stage "${name}" runs as root (USER ${last.args})`] : [];
    }
    stage = stageByName(stages, stage.from);
  }
  return [`stage "${name}" sets no USER, so it runs as root`];
}

/** Before `npm ci`, the install stage copies the lockfile and every workspace's package.json. */
export function checkManifestsCopiedBeforeInstall(
  stages: DockerStage[],
  target: string,
  workspaceDirs: string[],
): Problems {
  const closure = stageClosure(stages, target);
  const installStage = closure.find((stage) =>
    stage.instructions.some((instruction) => runCommands(instruction).includes('npm ci')),
  );
  if (installStage === undefined) return [`no stage of target "${target}" runs "npm ci"`];
  const copied = new Set<string>();
  for (const instruction of installStage.instructions) {
    if (runCommands(instruction).includes('npm ci')) break;
    if (instruction.keyword !== 'COPY' || /--from=/.test(instruction.args)) continue;
    const parts = instruction.args.split(/\s+/).filter((part) => !part.startsWith('--'));
    const destination = parts.pop() ?? '';
    for (const source of parts) {
      copied.add(path.posix.normalize(source));
      // `COPY . .` copies everything.
      if (source === '.' && destination !== '') copied.add('*');
    }
  }
  const required = ['package.json', 'package-lock.json', ...workspaceDirs.map((dir) => `${dir}/package.json`)];
  if (copied.has('*')) return [];
  return required
    .filter((file) => !copied.has(file))
    .map((file) => `${file} is not copied before "npm ci" in stage "${installStage.name ?? '?'}"`);
}

/** ENV instructions of a stage (and its FROM parents) as a map; `ENV A=1 B=` and legacy `ENV A 1`. */
export function stageEnv(stages: DockerStage[], name: string): Map<string, string> {
  const chain: DockerStage[] = [];
  let stage = stageByName(stages, name);
  while (stage !== undefined && !chain.includes(stage)) {
    chain.unshift(stage);
    stage = stageByName(stages, stage.from);
  }
  const env = new Map<string, string>();
  for (const current of chain) {
    for (const instruction of current.instructions) {
      if (instruction.keyword !== 'ENV') continue;
      if (!instruction.args.includes('=')) {
        const [key, ...value] = instruction.args.split(/\s+/);
        if (key !== undefined) env.set(key, value.join(' '));
        continue;
      }
      for (const match of instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)) {
        const key = match[1];
        if (key !== undefined) env.set(key, (match[2] ?? '').replace(/^(["'])(.*)\1$/, '$2'));
      }
    }
  }
  return env;
}

export function lastInstruction(stages: DockerStage[], name: string, keyword: string): DockerInstruction | undefined {
  const stage = stageByName(stages, name);
  const matching = stage?.instructions.filter((instruction) => instruction.keyword === keyword) ?? [];
  return matching[matching.length - 1];
}

/** Every base image that is not a stage of this file is glibc-based (no Alpine/musl). */
export function checkGlibcBases(stages: DockerStage[]): Problems {
  return stages
    .filter((stage) => stageByName(stages, stage.from) === undefined)
    .filter((stage) => /alpine|musl/i.test(stage.from))
    .map((stage) => `stage "${stage.name ?? '?'}" is based on ${stage.from}: use a glibc (Debian) image`);
}

// ---------------------------------------------------------------------------------------------------------
// nginx

export interface NginxDirective {
  name: string;
  args: string[];
  block: NginxDirective[] | null;
}

/** A small nginx config parser: directives, arguments (quotes removed), nested blocks; comments dropped. */
export function parseNginx(text: string): NginxDirective[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) i += 1;
    else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (ch === '{' || ch === '}' || ch === ';') {
      tokens.push(ch);
      i += 1;
    } else if (ch === '"' || ch === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== ch) {
        if (text[j] === '\\' && j + 1 < text.length) {
          value += text[j + 1];
          j += 2;
        } else {
          value += text[j];
          j += 1;
        }
      }
      tokens.push(`\u0000${value}`); // marks a quoted token, so "{" in quotes is not a brace
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s;{}]/.test(text[j] ?? '')) j += 1;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  let position = 0;
  const unquote = (token: string): string => (token.startsWith('\u0000') ? token.slice(1) : token);
  const parseBlock = (): NginxDirective[] => {
    const directives: NginxDirective[] = [];
    while (position < tokens.length) {
      const token = tokens[position] ?? '';
      if (token === '}') {
        position += 1;
        return directives;
      }
      const words: string[] = [];
      while (
        position < tokens.length &&
        tokens[position] !== ';' &&
        tokens[position] !== '{' &&
        tokens[position] !== '}'
      ) {
        words.push(unquote(tokens[position] ?? ''));
        position += 1;
      }
      const terminator = tokens[position];
      position += 1;
      const [name = '', ...args] = words;
      if (terminator === '{') directives.push({ name, args, block: parseBlock() });
      else directives.push({ name, args, block: null });
    }
    return directives;
  };
  return parseBlock();
}

export interface NginxLocation {
  path: string;
  modifier: string | null;
  /** The location's own directives, then its enclosing blocks outward (server, http). */
  scopes: NginxDirective[][];
}

export function nginxLocations(tree: NginxDirective[]): NginxLocation[] {
  const found: NginxLocation[] = [];
  const walk = (directives: NginxDirective[], outer: NginxDirective[][]): void => {
    for (const directive of directives) {
      if (directive.block === null) continue;
      if (directive.name === 'location') {
        const [first = '', second] = directive.args;
        const location = second === undefined ? { path: first, modifier: null } : { path: second, modifier: first };
        found.push({ ...location, scopes: [directive.block, ...outer] });
      }
      walk(directive.block, [directive.block, ...outer]);
    }
  };
  walk(tree, [tree]);
  return found;
}

/**
 * The directives named `name` that apply in a location: nginx inherits array-like directives such as
 * proxy_set_header and add_header from the nearest enclosing level that has any of them.
 */
export function effectiveDirectives(location: NginxLocation, name: string): NginxDirective[] {
  for (const scope of location.scopes) {
    const own = scope.filter((directive) => directive.name === name);
    if (own.length > 0) return own;
  }
  return [];
}

function seconds(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(value);
  if (match?.[1] === undefined) return Number.NaN;
  const n = Number(match[1]);
  const unit = match[2] ?? 's';
  return unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : unit === 'h' ? n * 3600 : unit === 'd' ? n * 86400 : n;
}

export interface NginxProxyExpectations {
  /** Path prefixes that must be proxied to the server upstream. */
  proxied: string[];
  /** Prefixes whose location must pass WebSocket upgrades and keep idle connections open. */
  websocket: string[];
  /** Minimum proxy_read_timeout for the WebSocket locations, in seconds. */
  websocketReadTimeoutSeconds: number;
}

/** The given prefixes are proxied to an upstream with sticky sessions (ip_hash); WebSocket ones upgrade. */
export function checkNginxProxy(tree: NginxDirective[], expected: NginxProxyExpectations): Problems {
  const problems: Problems = [];
  const upstreams = new Map<string, NginxDirective[]>();
  const collect = (directives: NginxDirective[]): void => {
    for (const directive of directives) {
      if (directive.name === 'upstream' && directive.block !== null)
        upstreams.set(directive.args[0] ?? '', directive.block);
      else if (directive.block !== null) collect(directive.block);
    }
  };
  collect(tree);
  const locations = nginxLocations(tree);
  for (const prefix of expected.proxied) {
    const location = locations.find((candidate) => candidate.modifier === null && candidate.path.startsWith(prefix));
    if (location === undefined) {
      problems.push(`no location for ${prefix}`);
      continue;
    }
    const proxyPass = location.scopes[0]?.find((directive) => directive.name === 'proxy_pass');
    if (proxyPass === undefined) {
      problems.push(`location ${location.path} has no proxy_pass`);
      continue;
    }
    const upstreamName = /^https?:\/\/([^/:]+)/.exec(proxyPass.args[0] ?? '')?.[1] ?? '';
    const upstream = upstreams.get(upstreamName);
    if (upstream === undefined) {
      problems.push(`location ${location.path} proxies to ${proxyPass.args[0] ?? '?'}, which is no upstream block`);
    } else if (!upstream.some((directive) => directive.name === 'ip_hash')) {
      problems.push(`upstream ${upstreamName} (used by ${location.path}) has no ip_hash: sessions are not sticky`);
    }
    if (!expected.websocket.includes(prefix)) continue;
    const headers = new Map(
      effectiveDirectives(location, 'proxy_set_header').map((directive) => [
        (directive.args[0] ?? '').toLowerCase(),
        directive.args[1] ?? '',
      ]),
    );
    if (headers.get('upgrade') !== '$http_upgrade')
      problems.push(`location ${location.path} does not pass "Upgrade: $http_upgrade"`);
    const connection = headers.get('connection');
    if (connection === undefined || connection === '' || connection === 'close') {
      problems.push(`location ${location.path} does not pass a Connection header for upgrades`);
    }
    const httpVersion = effectiveDirectives(location, 'proxy_http_version')[0]?.args[0];
    if (httpVersion !== '1.1') problems.push(`location ${location.path} needs proxy_http_version 1.1 for WebSocket`);
    const readTimeout = effectiveDirectives(location, 'proxy_read_timeout')[0]?.args[0] ?? '60s';
    if (!(seconds(readTimeout) >= expected.websocketReadTimeoutSeconds)) {
      problems.push(
        `location ${location.path} has proxy_read_timeout ${readTimeout}, below ${expected.websocketReadTimeoutSeconds}s`,
      );
    }
  }
  return problems;
}

/** A CSP with its directives in a stable order and single spaces, so two policies compare by meaning. */
export function normalizeCsp(policy: string): string {
  return policy
    .split(';')
    .map((directive) => directive.trim().split(/\s+/).join(' '))
    .filter((directive) => directive !== '')
    .sort()
    .join('; ');
}

/**
 * The CSP the server sends, read from the `CONTENT_SECURITY_POLICY` object literal of its security-headers
 * source (`'directive': ["'value'", ...]` entries), or null when there is no such literal.
 */
export function cspFromServerSource(source: string): string | null {
  const start = source.search(/CONTENT_SECURITY_POLICY\b[^=]*=\s*\{/);
  if (start === -1) return null;
  const open = source.indexOf('{', start);
  const close = source.indexOf('}', open);
  if (close === -1) return null;
  const body = source.slice(open + 1, close);
  const directives: string[] = [];
  for (const entry of body.matchAll(/['"]([a-z-]+)['"]\s*:\s*\[([^\]]*)\]/g)) {
    const values = [...(entry[2] ?? '').matchAll(/"([^"]*)"|'([^']*)'/g)].map((value) => value[1] ?? value[2] ?? '');
    directives.push([entry[1] ?? '', ...values].join(' '));
  }
  return directives.length === 0 ? null : directives.join('; ');
}

/** `location /` serves the single-page app with a history fallback and the expected CSP. */
export function checkNginxSpa(tree: NginxDirective[], expectedCsp: string): Problems {
  const problems: Problems = [];
  const root = nginxLocations(tree).find((location) => location.modifier === null && location.path === '/');
  if (root === undefined) return ['no "location /" for the web app'];
  const tryFiles = root.scopes[0]?.find((directive) => directive.name === 'try_files');
  if (tryFiles === undefined || tryFiles.args[tryFiles.args.length - 1] !== '/index.html') {
    problems.push('location / does not fall back to /index.html (history routing)');
  }
  const csp = effectiveDirectives(root, 'add_header').find(
    (directive) => directive.args[0]?.toLowerCase() === 'content-security-policy',
  );
  if (csp === undefined) problems.push('location / sends no Content-Security-Policy');
  else if (normalizeCsp(csp.args[1] ?? '') !== normalizeCsp(expectedCsp)) {
    problems.push(`location / sends CSP "${csp.args[1] ?? ''}", expected "${expectedCsp}"`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// Server configuration schema (apps/server/src/config/env.schema.ts), read as text

/** The `KEY:` entries of the zod environment schema: upper-case keys at the start of a line. */
export function parseEnvSchemaKeys(source: string): Set<string> {
  const keys = new Set<string>();
  for (const match of source.matchAll(/^\s*['"]?([A-Z][A-Z0-9_]*)['"]?\s*:/gm)) {
    if (match[1] !== undefined) keys.add(match[1]);
  }
  return keys;
}
