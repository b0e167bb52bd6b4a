import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient } from '../support/http-client.js';
import { connected, connectSocket, nextDisconnect } from '../support/socket-client.js';
import { spawnServer } from '../support/spawn-server.js';
import { TEST_SETUP_TOKEN } from '../support/test-server.js';

/**
 * `npm start` with DATABASE_URL unset: the server process initialises and starts the embedded PostgreSQL under
 * DATA_DIR/pg (as root it runs it as the `postgres` user), migrates, serves; SIGTERM drains sockets and HTTP, then
 * stops the database; a second start reuses the data. CI runs this as root, which is the hard case.
 */
describe('embedded PostgreSQL and graceful shutdown (real processes)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'miyu-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on an empty data directory, keeps data across restarts, and shuts down cleanly on SIGTERM', async () => {
    const first = await spawnServer({ DATA_DIR: dataDir, SETUP_TOKEN: TEST_SETUP_TOKEN });
    try {
      expect(first.output()).toContain('initialising a new embedded PostgreSQL cluster');
      expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
      const admin = new TestClient(first.url);
      await admin.setupAdmin();
      const socket = connectSocket(first.url, admin.cookie);
      await connected(socket);
      const dropped = nextDisconnect(socket, 15_000);
      expect(await first.stop('SIGTERM')).toBe(0);
      expect(await dropped).toMatch(/transport close|io server disconnect/);
      socket.disconnect();
      expect(first.output()).toContain('"msg":"stopped"');
      // The database was stopped last: no postmaster is left behind.
      expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      await first.stop('SIGKILL');
    }

    const second = await spawnServer({ DATA_DIR: dataDir });
    try {
      expect(second.output()).not.toContain('initialising a new embedded PostgreSQL cluster');
      expect((await new TestClient(second.url).login('admin', 'admin-password-1')).status).toBe(200);
    } finally {
      expect(await second.stop('SIGTERM')).toBe(0);
    }
  }, 120_000);

  it('refuses to start on a malformed environment, naming each bad variable and hiding secrets', async () => {
    await expect(
      spawnServer({ PORT: 'eighty', DATABASE_URL: 'mysql://user:secret@x/db', LOG_LEVEL: 'loud' }, 60_000),
    ).rejects.toThrow(/PORT[\s\S]*DATABASE_URL: expected a postgres[\s\S]*<redacted>[\s\S]*LOG_LEVEL/);
    await expect(spawnServer({ DATABASE_URL: 'mysql://user:secret@x/db' }, 60_000)).rejects.not.toThrow(/secret/);
  });
});
