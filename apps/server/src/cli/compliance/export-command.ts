import { ComplianceCliError } from './errors.js';
import { parseExportArgs } from './export-args.js';
import { type ExportIo, runExport } from './exporter.js';
import { readPublicKeyFile } from './key-file.js';
import { verifyExport } from './verify-export.js';

export interface CommandIo extends ExportIo {
  stdout: { write(text: string): unknown };
}

const int = (n: number) => n.toLocaleString('en-US');

/**
 * `npm run compliance:export` and `npm run compliance:verify`: parses the arguments, runs, prints the outcome and
 * resolves with the exit code (0 done, 1 failed, 2 usage or input error). Failures print `CODE: message`.
 */
export async function runExportCommand(argv: string[], io: CommandIo): Promise<number> {
  try {
    const command = parseExportArgs(argv);
    if (command.mode === 'verify') {
      const publicKey = await readPublicKeyFile(command.options.publicKey);
      const r = await verifyExport(command.options.dir, publicKey);
      io.stdout.write(
        `OK: manifest signature by key ${r.fingerprint} verified; ${int(r.files)} files (${int(r.bytes)} bytes) ` +
          `match their SHA-256.\n` +
          `export of ${r.server} made ${r.createdAt}: ${int(r.counts.messages)} messages in ` +
          `${int(r.counts.conversations)} conversations (${int(r.counts.unreadable)} not opened), audit checkpoint ` +
          `size ${int(r.checkpoint.size)} of ${r.checkpoint.time}\n` +
          (r.keys.length > 1 ? `made with compliance keys ${r.keys.join(', ')} (the last one signed)\n` : ''),
      );
      return 0;
    }
    const s = await runExport(command.options, io);
    const c = s.counts;
    io.stdout.write(
      [
        `Export complete: ${s.dir}`,
        s.keys.length === 1
          ? `  key ${s.fingerprint}; audit checkpoint size ${int(s.checkpointSize)}`
          : `  keys ${s.keys.map((k) => k.fingerprint).join(', ')}, signed by ${s.fingerprint}; ` +
            `audit checkpoint size ${int(s.checkpointSize)}`,
        `  ${int(c.conversations)} conversations, ${int(c.messages)} messages: ${int(c.opened)} opened, ` +
          `${int(c.events)} server events, ${int(c.unreadable)} not opened (see the error column); ` +
          `${int(c.recalled)} recalled, ${int(c.edits)} edits`,
        `  attachments: ${int(c.attachmentsSaved)} saved, ${int(c.attachmentsFailed)} failed; ${int(s.files)} files in the manifest`,
        `Verify with: npm run compliance:verify -- ${s.dir} --public <compliance-key.public.json of key ${s.fingerprint}>`,
        '',
      ].join('\n'),
    );
    if (c.unreadable > 0 || c.attachmentsFailed > 0)
      io.stderr.write(
        `warning: ${int(c.unreadable)} messages and ${int(c.attachmentsFailed)} attachments could not be opened\n`,
      );
    return 0;
  } catch (error) {
    if (error instanceof ComplianceCliError) {
      io.stderr.write(error.code === 'USAGE' ? `${error.message}\n` : `${error.code}: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(
      `compliance:export failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
