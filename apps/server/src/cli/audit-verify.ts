import { UnreadableFileError, verifyAuditExport, VerifyFailure } from './audit-verify/verify-file.js';

const USAGE = `Usage: npm run audit:verify -- <export file (.jsonl or .zip)> [--key <fingerprint or public key>]
Verifies an audit log export offline (no server or database): the checkpoint's signature, every entry's leaf hash
and inclusion proof, canonical form and order, and for an unfiltered export the hash chain and completeness.
--key pins the expected audit key: its hex SHA-256 fingerprint, or the base64url public key.
Exit codes: 0 verified, 1 verification failed, 2 usage error or unreadable file.`;

class UsageError extends Error {}

function parse(argv: string[]): { file: string; key?: string } {
  let file: string | undefined;
  let key: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') throw new UsageError(USAGE);
    if (arg === '--key' || arg.startsWith('--key=')) {
      key = arg === '--key' ? argv[++i] : arg.slice('--key='.length);
      if (!key) throw new UsageError(`--key needs a value\n${USAGE}`);
    } else if (arg.startsWith('--')) {
      throw new UsageError(`Unknown option ${arg}\n${USAGE}`);
    } else if (file === undefined) {
      file = arg;
    } else {
      throw new UsageError(`Unexpected argument: ${arg}\n${USAGE}`);
    }
  }
  if (file === undefined) throw new UsageError(`No export file given\n${USAGE}`);
  return { file, key };
}

/** `npm run audit:verify -- <file>`: prints OK or the first FAILED entry (docs/audit-export.md). */
async function main(): Promise<number> {
  const { file, key } = parse(process.argv.slice(2));
  try {
    const r = await verifyAuditExport(file, { key });
    const filter = Object.keys(r.filter).length === 0 ? 'none' : JSON.stringify(r.filter);
    process.stdout.write(`filter: ${filter}\n`);
    if (r.complete) process.stdout.write(`complete: entries 1..${r.size}, hash chain and count checked\n`);
    else if (Object.keys(r.filter).length === 0 && r.firstSeq !== null)
      process.stdout.write(`contiguous: entries ${r.firstSeq}..${r.lastSeq} (earlier entries are not in the file)\n`);
    process.stdout.write(
      `OK: ${r.count} entries verified against checkpoint size ${r.size} root ${r.root} signed ${r.signedAt} by key ${r.fingerprint}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof VerifyFailure) {
      if (error.fingerprint) process.stdout.write(`key: ${error.fingerprint}\n`);
      process.stdout.write(`FAILED: ${error.where}: ${error.why}\n`);
      return 1;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof UnreadableFileError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `audit:verify failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
