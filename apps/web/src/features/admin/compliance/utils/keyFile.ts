import {
  COMPLIANCE_PRIVATE_KEY_FORMAT,
  type CompliancePublicKeyFile,
  compliancePublicKeyFileSchema,
} from '@miyu/protocol';

/** `compliance-key.public.json` is a few hundred bytes; anything much larger is not it. */
export const MAX_KEY_FILE_BYTES = 16 * 1024;

/** Why a file or pasted text is not a public key file the server will take. */
export type KeyFileProblem = 'size' | 'json' | 'private' | 'format';

export type KeyFileReading =
  { kind: 'empty' } | { kind: 'problem'; problem: KeyFileProblem } | { kind: 'ok'; key: CompliancePublicKeyFile };

/**
 * Reads the text of `compliance-key.public.json` (from `npm run compliance:keygen`). The server checks it again
 * and recomputes the fingerprint; this only catches the wrong file early, above all the private key file, which
 * must never leave the compliance officer.
 */
export function readKeyFile(text: string): KeyFileReading {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (new TextEncoder().encode(trimmed).length > MAX_KEY_FILE_BYTES) return { kind: 'problem', problem: 'size' };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return { kind: 'problem', problem: 'json' };
  }
  if (typeof value === 'object' && value !== null && 'format' in value) {
    if (value.format === COMPLIANCE_PRIVATE_KEY_FORMAT) return { kind: 'problem', problem: 'private' };
  }
  const parsed = compliancePublicKeyFileSchema.safeParse(value);
  return parsed.success ? { kind: 'ok', key: parsed.data } : { kind: 'problem', problem: 'format' };
}

/** A chosen file's text (UTF-8), through FileReader: it works wherever file inputs do. */
export function readFileText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => (typeof reader.result === 'string' ? resolve(reader.result) : reject(new Error('not text')));
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsText(file);
  });
}
