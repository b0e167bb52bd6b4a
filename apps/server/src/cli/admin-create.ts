import { createInterface } from 'node:readline';
import { createUserRequestSchema } from '@miyu/protocol';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { logger } from '../common/logging/json-logger.js';
import { PasswordHasher } from '../common/security/password-hasher.js';
import { runMigrations } from '../database/migrate.js';
import { openDatabase } from '../database/open-database.js';
import { newUserEntity } from '../modules/auth/entities/new-user.js';
import { UserEntity } from '../modules/auth/entities/user.entity.js';
import { parseArgs } from './args.js';

const USAGE = `Usage: npm run admin:create -- --login <name> --display-name <name> [--email <addr>] [--employee-no <no>]
The password is read from MIYU_ADMIN_PASSWORD, or from standard input (prompted when it is a terminal).`;

/** Creates an admin account directly in the database: for first-run setup without the web link, or recovery. */
async function main(): Promise<void> {
  let args: Record<string, string>;
  try {
    args = parseArgs(process.argv.slice(2), ['login', 'display-name', 'email', 'employee-no']);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${USAGE}`);
  }
  const password = process.env.MIYU_ADMIN_PASSWORD ?? (await readPassword());
  const parsed = createUserRequestSchema.safeParse({
    login: args.login,
    displayName: args['display-name'] ?? args.login,
    password,
    email: args.email,
    employeeNo: args['employee-no'],
    role: 'admin',
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || 'input'}: ${i.message}`).join('\n');
    throw new UsageError(`Invalid input:\n${problems}\n${USAGE}`);
  }
  const input = parsed.data;
  const config = loadConfig();
  logger.setLevel('warn');
  const db = await openDatabase(config);
  const hasher = new PasswordHasher(config.passwordHash);
  try {
    await runMigrations(db.dataSource);
    const repo = db.dataSource.getRepository(UserEntity);
    if (await repo.existsBy({ login: input.login }))
      throw new UsageError(`A user named "${input.login}" already exists.`);
    await repo.insert(
      newUserEntity({
        login: input.login,
        displayName: input.displayName,
        employeeNo: input.employeeNo ?? null,
        email: input.email ?? null,
        role: 'admin',
        passwordHash: await hasher.hash(input.password),
      }),
    );
    await db.dataSource.query('DELETE FROM setup_tokens');
    process.stdout.write(`Admin "${input.login}" created. Sign in at ${config.publicUrl.origin}\n`);
  } finally {
    await hasher.close();
    await db.close();
  }
}

class UsageError extends Error {}

async function readPassword(): Promise<string> {
  const rl = createInterface({
    input: process.stdin,
    output: process.stdin.isTTY ? process.stderr : undefined,
    terminal: false,
  });
  if (process.stdin.isTTY) process.stderr.write('Password for the new admin: ');
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

main().catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`admin:create failed: ${String(err)}\n`);
  process.exit(1);
});
