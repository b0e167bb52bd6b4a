import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ldapts';

export const SLAPD = '/usr/sbin/slapd';
export const SUFFIX = 'dc=example,dc=com';
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const ROOT_PW = 'slapd-root-secret';

export interface Slapd {
  url: string;
  /** A client bound as the root DN (the test's way to change the directory). */
  admin(): Promise<Client>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A real OpenLDAP server (Debian slapd) on a free loopback port, with a generated slapd.conf in a temporary folder:
 * mdb backend, suffix dc=example,dc=com, core/cosine/inetorgperson/nis schemas. Resolves once a bind succeeds.
 */
export async function startSlapd(): Promise<Slapd> {
  if (!existsSync(SLAPD)) throw new Error(`${SLAPD} is missing: apt-get install -y slapd ldap-utils`);
  const dir = await mkdtemp(join(tmpdir(), 'miyu-slapd-'));
  await mkdir(join(dir, 'db'));
  const schema = ['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`);
  await writeFile(
    join(dir, 'slapd.conf'),
    [
      ...schema,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${join(dir, 'slapd.pid')}`,
      'database mdb',
      `suffix "${SUFFIX}"`,
      `rootdn "${ROOT_DN}"`,
      `rootpw ${ROOT_PW}`,
      `directory ${join(dir, 'db')}`,
      'maxsize 10485760',
      'index objectClass eq',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  // -d 0 keeps slapd in the foreground, so the child process is the server and stopping it is a kill.
  const child: ChildProcess = spawn(SLAPD, ['-f', join(dir, 'slapd.conf'), '-h', `${url}/`, '-d', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const admin = async () => {
    const c = new Client({ url, timeout: 5000, connectTimeout: 5000 });
    await c.bind(ROOT_DN, ROOT_PW);
    return c;
  };
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`slapd exited: ${stderr}`);
    try {
      await (await admin()).unbind();
      break;
    } catch (err) {
      if (attempt > 200) throw new Error(`slapd did not start: ${stderr}`, { cause: err });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url,
    admin,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** LDIF-like entries added in order (parents first). */
export async function addEntries(client: Client, entries: Array<[string, Record<string, string | string[]>]>) {
  for (const [dn, attrs] of entries) await client.add(dn, attrs);
}
