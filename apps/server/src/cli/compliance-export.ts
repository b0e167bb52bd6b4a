import { runExportCommand } from './compliance/export-command.js';

/**
 * `npm run compliance:export -- --server <url> --key <private.json> --out <dir> [...]` and
 * `npm run compliance:verify -- <dir> --public <public.json>` (docs/compliance-export.md).
 */
const abort = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\nCancelling…\n');
  abort.abort();
});

runExportCommand(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: abort.signal,
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`compliance:export failed: ${String(error)}\n`);
    process.exit(1);
  },
);
