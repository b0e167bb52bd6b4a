import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { obtainPassphrase, PASSPHRASE_ENV, readPassphraseFile, type TerminalInput } from './passphrase.js';

/** A terminal the test types into: each `type` call is one keypress burst, delivered once the prompt listens. */
class FakeTerminal extends EventEmitter implements TerminalInput {
  isTTY = true;
  raw: boolean[] = [];
  private queue: string[];

  constructor(...typed: string[]) {
    super();
    this.queue = typed;
  }

  setRawMode(mode: boolean) {
    this.raw.push(mode);
  }

  resume() {
    const next = this.queue.shift();
    if (next !== undefined) setImmediate(() => this.emit('data', Buffer.from(next)));
  }

  pause() {}
}

const sink = () => {
  const out: string[] = [];
  return { out, write: (t: string) => out.push(t) };
};

describe('compliance passphrase input', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'miyu-pass-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads --passphrase-file first (one trailing line break removed), then the environment', async () => {
    const file = path.join(dir, 'pass');
    await writeFile(file, 'from the file 1\n');
    const env = { [PASSPHRASE_ENV]: 'from the environment' };
    const stdin = new FakeTerminal();
    expect(await obtainPassphrase({ file, env, stdin, stderr: sink() }, { confirm: true })).toBe('from the file 1');
    expect(await obtainPassphrase({ env, stdin, stderr: sink() }, { confirm: true })).toBe('from the environment');
    await writeFile(file, '  spaces kept  \r\n');
    expect(await readPassphraseFile(file)).toBe('  spaces kept  ');
  });

  it('refuses short passphrases, missing files and a missing passphrase without a terminal', async () => {
    const stdin = { ...new FakeTerminal(), isTTY: false } as unknown as TerminalInput;
    await expect(
      obtainPassphrase({ env: { [PASSPHRASE_ENV]: 'short' }, stdin, stderr: sink() }, { confirm: false }),
    ).rejects.toMatchObject({ code: 'PASSPHRASE_TOO_SHORT' });
    await expect(
      obtainPassphrase({ file: path.join(dir, 'nope'), env: {}, stdin, stderr: sink() }, { confirm: false }),
    ).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
    await expect(obtainPassphrase({ env: {}, stdin, stderr: sink() }, { confirm: false })).rejects.toMatchObject({
      code: 'PASSPHRASE_MISSING',
    });
  });

  it('asks twice on a terminal without echo, honouring backspace, and refuses a difference', async () => {
    const stderr = sink();
    const ok = new FakeTerminal('a long passphrase!\x7f\r', 'a long passphrase\r');
    expect(await obtainPassphrase({ env: {}, stdin: ok, stderr }, { confirm: true })).toBe('a long passphrase');
    expect(stderr.out.join('')).toBe('Passphrase: \nPassphrase again: \n');
    expect(ok.raw).toEqual([true, false, true, false]);

    const differ = new FakeTerminal('a long passphrase\r', 'another passphrase\r');
    await expect(obtainPassphrase({ env: {}, stdin: differ, stderr: sink() }, { confirm: true })).rejects.toMatchObject(
      { code: 'PASSPHRASE_MISMATCH' },
    );
    const cancelled = new FakeTerminal('a long\x03');
    await expect(
      obtainPassphrase({ env: {}, stdin: cancelled, stderr: sink() }, { confirm: false }),
    ).rejects.toMatchObject({ code: 'USAGE', message: 'Cancelled.' });
  });
});
