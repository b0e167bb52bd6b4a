import type { AuditEntry } from '@miyu/protocol';
import {
  AUDIT_CSV_COLUMNS,
  type AuditExportEntryLine,
  csvEntryLine,
  csvHeaderLine,
  exportFilter,
  isUnfiltered,
  jsonlEntryLine,
  readableCells,
} from './audit-export-format.js';

const entry: AuditEntry = {
  v: 1,
  seq: 7,
  time: '2026-01-01T00:00:00.000Z',
  actor: { userId: 'u1', name: '王, "伟"', deviceId: null, ip: '10.0.0.1', userAgent: '=cmd|x' },
  action: 'user.updated',
  entity: { type: 'user', id: 'u2', name: 'line\r\nbreak' },
  context: { z: 1, a: ['x'] },
  result: { ok: false, reason: '-1+1' },
  prev: '0'.repeat(64),
};

describe('audit export format', () => {
  it('writes entry lines exactly as JSON.stringify would', () => {
    const canonical = '{"a":"quote \\" and \\u2028 and 中文"}';
    for (const proof of [[], ['ab'.repeat(32)], ['ab'.repeat(32), 'cd'.repeat(32)]]) {
      const line: AuditExportEntryLine = { type: 'entry', seq: 12, canonical, leafHash: 'ef'.repeat(32), proof };
      expect(jsonlEntryLine(12, canonical, 'ef'.repeat(32), proof)).toBe(`${JSON.stringify(line)}\n`);
    }
  });

  it('writes CSV rows with a BOM header, RFC 4180 quoting and the formula guard', () => {
    expect(csvHeaderLine()).toBe(`\uFEFF${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
    expect(readableCells(entry)).toHaveLength(AUDIT_CSV_COLUMNS.indexOf('canonical'));
    const line = csvEntryLine(readableCells(entry), '{"x":1}', 'aa', ['bb', 'cc']);
    expect(line).toBe(
      '7,2026-01-01T00:00:00.000Z,"王, ""伟""",u1,,10.0.0.1,\'=cmd|x,user.updated,user,u2,"line\r\nbreak",failure,' +
        '\'-1+1,"{""a"":[""x""],""z"":1}","{""x"":1}",aa,bb cc\r\n',
    );
  });

  it('records the filter without the format, and tells an unfiltered export', () => {
    expect(exportFilter({ format: 'csv' })).toEqual({});
    expect(isUnfiltered(exportFilter({ format: 'jsonl' }))).toBe(true);
    const f = exportFilter({ format: 'jsonl', action: 'user.updated', actorId: undefined });
    expect(f).toEqual({ action: 'user.updated' });
    expect(isUnfiltered(f)).toBe(false);
  });
});
