import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A stand-in for the built web app (an index page and one hashed asset) for WEB_DIST_DIR; the caller removes it. */
export function fakeWebDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'miyu-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Miyu</title><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log(1)');
  return dir;
}
