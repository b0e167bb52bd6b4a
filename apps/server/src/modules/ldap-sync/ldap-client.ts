import { Client, InvalidCredentialsError, type Entry } from 'ldapts';
import { LdapError } from './ldap.errors.js';

export interface LdapConnection {
  url: string;
  tlsVerify: boolean;
  bindDn: string;
  bindPassword: string;
}

/** One directory entry: its DN and its attributes by lower-cased name (binary values as lower-case hex). */
export interface LdapRecord {
  dn: string;
  attrs: Map<string, string[]>;
}

const TIMEOUT_MS = 15_000;

function toRecord(entry: Entry, binary: Set<string>): LdapRecord {
  const attrs = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(entry)) {
    if (name === 'dn') continue;
    const values = Array.isArray(raw) ? raw : [raw];
    const key = name.toLowerCase();
    attrs.set(
      key,
      values.map((v) => (Buffer.isBuffer(v) ? (binary.has(key) ? v.toString('hex') : v.toString('utf8')) : String(v))),
    );
  }
  return { dn: entry.dn, attrs };
}

function reasonOf(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return (e.code ? `${e.code} ` : '') + (e.message ?? 'unknown error').slice(0, 200);
}

/**
 * Binds to the directory and runs the sync's searches (paged), then unbinds. Connection and bind failures become
 * LDAP_CONNECT_FAILED / LDAP_BIND_FAILED; a failed search becomes LDAP_SEARCH_FAILED.
 */
export async function withLdap<T>(conn: LdapConnection, work: (search: Searcher) => Promise<T>): Promise<T> {
  let client: Client;
  try {
    client = new Client({
      url: conn.url,
      timeout: TIMEOUT_MS,
      connectTimeout: TIMEOUT_MS,
      tlsOptions: conn.url.toLowerCase().startsWith('ldaps:') ? { rejectUnauthorized: conn.tlsVerify } : undefined,
    });
  } catch (err) {
    // The client refuses a URL it cannot parse (the config schema should already have): that is no connection.
    throw LdapError.connectFailed(reasonOf(err));
  }
  try {
    try {
      await client.bind(conn.bindDn, conn.bindPassword);
    } catch (err) {
      if (err instanceof InvalidCredentialsError) throw LdapError.bindFailed();
      const code = (err as { code?: unknown }).code;
      // Result codes from the server (a number) mean we reached it: anything else is the connection.
      if (typeof code === 'number') throw LdapError.bindFailed();
      throw LdapError.connectFailed(reasonOf(err));
    }
    return await work(new Searcher(client));
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

export class Searcher {
  constructor(private readonly client: Client) {}

  async search(base: string, filter: string, attributes: string[], binary: string[] = []): Promise<LdapRecord[]> {
    try {
      const { searchEntries } = await this.client.search(base, {
        scope: 'sub',
        filter,
        attributes,
        explicitBufferAttributes: binary,
        paged: { pageSize: 500 },
      });
      const bin = new Set(binary.map((b) => b.toLowerCase()));
      return searchEntries.map((e) => toRecord(e, bin));
    } catch (err) {
      throw LdapError.searchFailed(base, reasonOf(err));
    }
  }
}
