import { ComplianceCliError } from './compliance/errors.js';
import { runKeygen } from './compliance/keygen.js';

/** `npm run compliance:keygen -- --out <dir> [--passphrase-file <file>]` (docs/compliance-export.md). */
runKeygen(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof ComplianceCliError) {
      process.stderr.write(`${error.code === 'USAGE' ? '' : `${error.code}: `}${error.message}\n`);
      process.exit(error.exitCode);
    }
    process.stderr.write(`compliance:keygen failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
