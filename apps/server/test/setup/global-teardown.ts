import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const handle = globalThis.__MIYU_TEST_PG__;
  if (handle) {
    await handle.stop();
    const dir = process.env.MIYU_TEST_PG_DATA_DIR;
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
