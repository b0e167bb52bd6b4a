import type { ExportPerson } from '@miyu/protocol';
import { attachmentPath, safeFileName } from './attachment-save.js';
import { csvHeader, csvRow, EXPORT_CSV_COLUMNS } from './csv-format.js';
import { digestBoundary, emlEmptyPart, emlFooter, emlHeader, emlPart, encodeWords, rfc5322Date } from './eml-format.js';
import type { ExportRecord } from './message-record.js';

const CONV = '0190a1b2-c3d4-7e5f-8a6b-00000000c001';
const ALICE = '0190a1b2-c3d4-7e5f-8a6b-00000000a001';

function record(over: Partial<ExportRecord> = {}): ExportRecord {
  return {
    conversationId: CONV,
    conversationName: '项目组',
    seq: 3,
    time: '2026-03-01T08:00:03.000Z',
    senderUserId: ALICE,
    senderName: '王芳',
    senderLogin: 'wangfang',
    senderEmployeeNo: 'E-7',
    senderDeviceId: '0190a1b2-c3d4-7e5f-8a6b-00000000d001',
    clientMsgId: '0190a1b2-c3d4-7e5f-8a6b-000000000003',
    type: 'text',
    text: 'hello',
    mentions: [],
    replyTo: null,
    target: null,
    reactionRemoved: null,
    attachments: [],
    recalled: false,
    recalledAt: null,
    recalledBy: null,
    recalledByName: null,
    escrow: 'valid',
    error: null,
    ...over,
  };
}

/** Splits CSV text into rows of cells (RFC 4180, enough for these tests). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('messages.csv', () => {
  it('starts with a BOM and the header; one CRLF row per record in column order', () => {
    expect(csvHeader()).toBe(`\ufeff${EXPORT_CSV_COLUMNS.join(',')}\r\n`);
    const [cells] = parseCsv(csvRow(record()));
    expect(cells).toHaveLength(EXPORT_CSV_COLUMNS.length);
    const byName = Object.fromEntries(EXPORT_CSV_COLUMNS.map((c, i) => [c, cells![i]]));
    expect(byName).toMatchObject({
      conversation_id: CONV,
      conversation_name: '项目组',
      seq: '3',
      sender_name: '王芳',
      sender_employee_no: 'E-7',
      type: 'text',
      text: 'hello',
      recalled: 'false',
      escrow: 'valid',
      error: '',
    });
  });

  it('guards formula-like cells and quotes commas, quotes and line breaks', () => {
    const row = csvRow(
      record({
        text: '=HYPERLINK("http://x","y"),\r\nsecond line',
        senderName: '+cmd',
        conversationName: '@SUM(A1)',
        senderLogin: '-1+1',
      }),
    );
    const [cells] = parseCsv(row);
    const byName = Object.fromEntries(EXPORT_CSV_COLUMNS.map((c, i) => [c, cells![i]]));
    expect(byName.text).toBe(`'=HYPERLINK("http://x","y"),\r\nsecond line`);
    expect(byName.sender_name).toBe("'+cmd");
    expect(byName.conversation_name).toBe("'@SUM(A1)");
    expect(byName.sender_login).toBe("'-1+1");
  });

  it('flags recalls, points edits at their target and names errors and attachment files', () => {
    const target = { clientMsgId: '0190a1b2-c3d4-7e5f-8a6b-000000000001', senderUserId: ALICE };
    const cells = (r: ExportRecord) => {
      const [c] = parseCsv(csvRow(r));
      return Object.fromEntries(EXPORT_CSV_COLUMNS.map((n, i) => [n, c![i]]));
    };
    expect(
      cells(
        record({ recalled: true, recalledAt: '2026-03-01T09:00:00.000Z', recalledBy: ALICE, recalledByName: '王芳' }),
      ),
    ).toMatchObject({ recalled: 'true', recalled_at: '2026-03-01T09:00:00.000Z', recalled_by: `王芳 (${ALICE})` });
    expect(cells(record({ type: 'edit', target }))).toMatchObject({
      type: 'edit',
      target: `${target.clientMsgId} (sender ${ALICE})`,
    });
    expect(
      cells(record({ type: 'unreadable', text: null, escrow: null, error: { code: 'NO_ESCROW', message: 'no wrap' } })),
    ).toMatchObject({ type: 'unreadable', text: '', error: 'NO_ESCROW: no wrap' });
    expect(
      cells(
        record({
          type: 'attachment',
          attachments: [
            {
              n: 1,
              name: 'a.pdf',
              mimeType: 'application/pdf',
              size: 1,
              file: `attachments/${CONV}/3-1-a.pdf`,
              error: null,
            },
            {
              n: 2,
              name: 'b.png',
              mimeType: 'image/png',
              size: 1,
              file: null,
              error: { code: 'DIGEST_MISMATCH', message: '' },
            },
          ],
        }),
      ),
    ).toMatchObject({ attachments: `attachments/${CONV}/3-1-a.pdf; b.png (DIGEST_MISMATCH)` });
  });
});

describe('eml/<conversation>.eml', () => {
  const people = new Map<string, ExportPerson>([
    [ALICE, { id: ALICE, displayName: '王芳', login: 'wangfang', employeeNo: null, email: null }],
  ]);
  const decodeWords = (v: string) =>
    v
      .split(/\r\n /)
      .map((w) => {
        const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=$/.exec(w);
        return m ? Buffer.from(m[1]!, 'base64').toString('utf8') : w;
      })
      .join('');

  it('encodes non-ASCII headers as RFC 2047 words of at most 75 characters, split between characters', () => {
    expect(encodeWords('plain ascii')).toBe('plain ascii');
    const long = '合规导出'.repeat(20) + ' 👍🏽 end';
    const encoded = encodeWords(long);
    for (const word of encoded.split('\r\n ')) expect(word.length).toBeLessThanOrEqual(75);
    expect(decodeWords(encoded)).toBe(long);
    expect(encodeWords('a\r\nBcc: evil@example.com')).not.toMatch(/[\r\n]B/);
  });

  it('writes RFC 5322 dates in UTC', () => {
    expect(rfc5322Date('2026-03-01T08:00:03.000+08:00')).toBe('Sun, 01 Mar 2026 00:00:03 +0000');
  });

  it('is a multipart/digest with one message/rfc822 part per row, UTF-8 bodies in base64', () => {
    const header = emlHeader(
      { id: CONV, name: '项目组', kind: 'group', members: [ALICE] },
      people,
      '2026-03-02T00:00:00Z',
    );
    const target = { clientMsgId: '0190a1b2-c3d4-7e5f-8a6b-000000000001', senderUserId: ALICE };
    const part = emlPart(
      record({
        type: 'edit',
        text: '改过的文字',
        target,
        recalled: true,
        recalledAt: '2026-03-01T09:00:00.000Z',
        recalledBy: ALICE,
        recalledByName: '王芳',
      }),
    );
    const eml = header + part + emlFooter(CONV);
    const boundary = digestBoundary(CONV);
    expect(header).toContain(`Content-Type: multipart/digest; boundary="${boundary}"\r\n`);
    expect(header).toMatch(/^From: Miyu compliance export <compliance-export@miyu\.invalid>\r\n/);
    expect(eml.split(`\r\n--${boundary}\r\n`)).toHaveLength(2);
    expect(eml.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
    expect(eml).not.toMatch(/[^\r]\n/); // CRLF only
    expect([...eml].every((c) => c.charCodeAt(0) < 128)).toBe(true);
    expect(part).toContain(`Message-ID: <0190a1b2-c3d4-7e5f-8a6b-000000000003@${CONV}.miyu.invalid>`);
    expect(part).toContain(`In-Reply-To: <${target.clientMsgId}@${CONV}.miyu.invalid>`);
    expect(part).toContain('X-Miyu-Type: edit\r\n');
    expect(part).toContain('X-Miyu-Recalled: 2026-03-01T09:00:00.000Z\r\n');
    expect(part).toContain('Date: Sun, 01 Mar 2026 08:00:03 +0000\r\n');
    const from = /\r\nFrom: (.*?) <user-([^@]+)@miyu\.invalid>\r\n/.exec(part)!;
    expect(decodeWords(from[1]!)).toBe('王芳');
    const body = Buffer.from(
      part.split('Content-Transfer-Encoding: base64\r\n\r\n')[1]!.replace(/\r\n/g, ''),
      'base64',
    ).toString('utf8');
    expect(body.startsWith('改过的文字\n\n-- \n')).toBe(true);
    expect(body).toContain(`RECALLED at 2026-03-01T09:00:00.000Z by 王芳 (${ALICE})`);
    expect(body).toContain(`Target: message ${target.clientMsgId} of ${ALICE}`);
    for (const line of part.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  });

  it('says so when a conversation has no message in range, and marks unopened rows', () => {
    expect(emlEmptyPart(CONV)).toContain('No messages in the selected range.');
    const part = emlPart(record({ type: 'unreadable', text: null, error: { code: 'NO_ESCROW', message: 'x' } }));
    expect(part).toContain('X-Miyu-Error: NO_ESCROW\r\n');
  });
});

describe('attachment file names', () => {
  it('keeps names readable but safe on every file system', () => {
    expect(safeFileName('季度报告.pdf')).toBe('季度报告.pdf');
    expect(safeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFileName('a/b\\c:d*e?f"g<h>i|j\u0001k.txt')).toBe('a_b_c_d_e_f_g_h_i_j_k.txt');
    expect(safeFileName('...')).toBe('file');
    expect(safeFileName('.hidden ')).toBe('hidden');
    expect(safeFileName('CON.txt')).toBe('_CON.txt');
    const long = safeFileName(`${'长'.repeat(100)}.docx`);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(120);
    expect(long.endsWith('.docx')).toBe(true);
    expect(attachmentPath(CONV, 12, 2, 'x/y.png')).toBe(`attachments/${CONV}/12-2-x_y.png`);
  });
});
