import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('applies documented defaults to an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.database.url).toBeNull();
    expect(c.database.dataDir).toMatch(/\/data$/);
    expect(c.redisUrl).toBeNull();
    expect(c.session).toEqual({ ttlHours: 336, idleHours: 72, secureCookie: false });
    expect(c.migrateOnStart).toBe(true);
    expect(c.trustProxy).toBe(false);
  });

  it('lists every bad variable at once, naming each, without echoing secrets', () => {
    let error: ConfigError | null = null;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        LOG_LEVEL: 'loud',
        SETUP_TOKEN: 'short',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const names = error!.problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'SETUP_TOKEN']));
    expect(error!.message).not.toContain('hunter2');
    expect(error!.message).not.toContain('short');
    expect(error!.message).toContain('(got "eighty")');
  });

  it('turns an https PUBLIC_URL into Secure cookies and parses TRUST_PROXY hop counts', () => {
    const c = loadConfig({ PUBLIC_URL: 'https://chat.example.com', TRUST_PROXY: '2', WEB_DIST_DIR: '' });
    expect(c.session.secureCookie).toBe(true);
    expect(c.trustProxy).toBe(2);
    expect(c.webDistDir).toBeNull();
  });

  it('rejects weak password-hash parameters and nonsense booleans', () => {
    expect(() => loadConfig({ PASSWORD_HASH_MEMORY_MIB: '8' })).toThrow(/PASSWORD_HASH_MEMORY_MIB/);
    expect(() => loadConfig({ MIGRATE_ON_START: 'maybe' })).toThrow(/MIGRATE_ON_START: expected true or false/);
  });
});
