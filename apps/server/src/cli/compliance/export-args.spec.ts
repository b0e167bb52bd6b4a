import { parseExportArgs } from './export-args.js';
import { parseKeygenArgs } from './keygen.js';

const ID1 = '0190a1b2-c3d4-7e5f-8a6b-000000000001';
const ID2 = '0190a1b2-c3d4-7e5f-8a6b-000000000002';
const BASE = ['--server', 'https://miyu.example.com', '--key', 'k.json', '--out', 'out/'];

const usage = (argv: string[]) => {
  try {
    parseExportArgs(argv);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error(`accepted: ${argv.join(' ').slice(0, 200)}`);
};

describe('compliance:export arguments', () => {
  it('reads an export command with every option', () => {
    expect(
      parseExportArgs([
        '--',
        ...BASE,
        '--passphrase-file=p.txt',
        '--token-file',
        't.txt',
        '--from',
        '2026-01-01T00:00:00Z',
        '--to',
        '2026-02-01T00:00:00+08:00',
        '--users',
        `${ID1}, ${ID2},${ID1}`,
        '--conversations',
        ID2,
      ]),
    ).toEqual({
      mode: 'export',
      options: {
        server: new URL('https://miyu.example.com'),
        keys: ['k.json'],
        out: 'out',
        passphraseFiles: ['p.txt'],
        tokenFile: 't.txt',
        from: '2026-01-01T00:00:00Z',
        to: '2026-02-01T00:00:00+08:00',
        users: [ID1, ID2],
        conversations: [ID2],
      },
    });
  });

  it('reads repeated --key in order, with no, one or one --passphrase-file per key', () => {
    const keys = ['--key', 'old.private.json', '--key=new.private.json'];
    const base = ['--server', 'https://miyu.example.com', '--out', 'o'];
    const parsed = (extra: string[]) => {
      const command = parseExportArgs([...base, ...keys, ...extra]);
      if (command.mode !== 'export') throw new Error('not an export');
      return { keys: command.options.keys, passphraseFiles: command.options.passphraseFiles };
    };
    expect(parsed([])).toEqual({ keys: ['old.private.json', 'new.private.json'], passphraseFiles: [] });
    expect(parsed(['--passphrase-file', 'both.txt'])).toMatchObject({ passphraseFiles: ['both.txt'] });
    expect(parsed(['--passphrase-file', 'old.txt', '--passphrase-file=new.txt'])).toMatchObject({
      passphraseFiles: ['old.txt', 'new.txt'],
    });
    // The same passphrase file for two keys is fine; it is the key files that must differ.
    expect(parsed(['--passphrase-file', 'p.txt', '--passphrase-file', 'p.txt'])).toMatchObject({
      passphraseFiles: ['p.txt', 'p.txt'],
    });
    expect(parseExportArgs([...BASE])).toMatchObject({ options: { keys: ['k.json'], passphraseFiles: [] } });
  });

  it('rejects a --key given twice, mismatched --passphrase-file counts and other repeated options', () => {
    const cases: Array<[string[], RegExp]> = [
      [[...BASE, '--key', 'k.json'], /--key k\.json is given twice/],
      [[...BASE, '--key', './k.json'], /--key \.\/k\.json is given twice \(as k\.json\)/],
      [[...BASE, '--key', `${process.cwd()}/k.json`], /is given twice \(as k\.json\)/],
      [[...BASE, '--key='], /--key needs a file/],
      [
        [...BASE, '--key', 'b.json', '--key', 'c.json', '--passphrase-file', 'p1', '--passphrase-file', 'p2'],
        /--passphrase-file is given 2 times for 3 --key file\(s\): give it once .* or once per --key/,
      ],
      [[...BASE, '--passphrase-file', 'p1', '--passphrase-file', 'p2'], /given 2 times for 1 --key file/],
      [[...BASE, '--passphrase-file='], /--passphrase-file needs a file/],
      [[...BASE, '--out', 'other'], /--out is given more than once/],
      [[...BASE, '--server', 'https://other.example.com'], /--server is given more than once/],
      [[...BASE, '--token-file', 'a', '--token-file', 'b'], /--token-file is given more than once/],
      [[...BASE, '--users', ID1, '--users', ID2], /--users is given more than once/],
    ];
    for (const [argv, message] of cases) {
      const error = usage(argv);
      expect(error.code).toBe('USAGE');
      expect(error.message).toMatch(message);
    }
    const many = Array.from({ length: 21 }, (_, i) => ['--key', `k${i}.json`]).flat();
    expect(usage(['--server', 'https://x', '--out', 'o', ...many]).message).toMatch(/at most 20 key files/);
  });

  it('reads --verify <dir> --public <file> (and the compliance:verify form)', () => {
    expect(parseExportArgs(['--verify', 'exp/', '--public', 'pub.json'])).toEqual({
      mode: 'verify',
      options: { dir: 'exp', publicKey: 'pub.json' },
    });
    expect(parseExportArgs(['--verify=exp', '--public=pub.json'])).toMatchObject({ mode: 'verify' });
  });

  it('rejects missing, unknown and malformed arguments with the usage text', () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /--server is required/],
      [['--server', 'https://x', '--key', 'k'], /--out is required/],
      [[...BASE, '--bogus', '1'], /Unknown option --bogus/],
      [[...BASE, 'stray'], /Unexpected argument/],
      [[...BASE, '--from'], /--from needs a value/],
      [['--server', 'ftp://x', '--key', 'k', '--out', 'o'], /http\(s\) URL/],
      [['--server', 'not a url', '--key', 'k', '--out', 'o'], /not a URL/],
      [['--server', 'https://u:p@x', '--key', 'k', '--out', 'o'], /credentials/],
      [['--server', 'https://x/?a=1', '--key', 'k', '--out', 'o'], /no query/],
      [[...BASE, '--from', '2026-01-01'], /not an ISO 8601 time/],
      [[...BASE, '--to', 'yesterday'], /not an ISO 8601 time/],
      [[...BASE, '--from', '2026-02-01T00:00:00Z', '--to', '2026-01-01T00:00:00Z'], /--from must be before --to/],
      [[...BASE, '--users', 'alice'], /"alice" is not an id/],
      [[...BASE, '--conversations', ' , '], /at least one id/],
      [['--verify', 'exp'], /--verify needs --public/],
      [['--verify', '--public', 'p'], /--verify needs the export directory/],
      [['--verify', 'exp', '--public', 'p', '--server', 'https://x'], /only --public/],
    ];
    for (const [argv, message] of cases) {
      const error = usage(argv);
      expect(error.code).toBe('USAGE');
      expect(error.message).toMatch(message);
    }
    const many = Array.from({ length: 501 }, (_, i) => ID1.slice(0, -3) + String(i).padStart(3, '0'));
    expect(usage([...BASE, '--users', many.join(',')]).message).toMatch(/at most 500 ids/);
    expect(usage(['--help']).message).toMatch(/^Usage:/);
  });
});

describe('compliance:keygen arguments', () => {
  it('needs --out and knows only --passphrase-file besides', () => {
    expect(parseKeygenArgs(['--out', 'keys', '--passphrase-file', 'p'])).toEqual({ out: 'keys', passphraseFile: 'p' });
    expect(() => parseKeygenArgs([])).toThrow(/--out <dir> is required/);
    expect(() => parseKeygenArgs(['--out', 'k', '--force', 'yes'])).toThrow(/Unknown option --force/);
    expect(() => parseKeygenArgs(['--out'])).toThrow(/needs a value/);
    expect(() => parseKeygenArgs(['-h'])).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
