import type { EntityManager } from 'typeorm';
import { ready } from '@miyu/crypto';
import type { AuditRepository, StoredEntry } from './audit.repository.js';
import { AuditWriter, type PendingRecord } from './audit-writer.js';

const unavailable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

/**
 * The audit tables in memory, behind the repository methods the writer uses. A transaction commits only when its
 * work resolves; `failNext` makes the next transactions fail as a lost database does — before the commit (nothing
 * written) or after it (written, but the caller is told the connection broke).
 */
class MemoryAudit {
  entries: StoredEntry[] = [];
  nodes = new Map<string, Buffer>();
  head: { size: number; lastLeaf: Buffer } = { size: 0, lastLeaf: Buffer.alloc(32) };
  failNext: Array<'before-commit' | 'after-commit'> = [];

  readonly repo = {
    transaction: async <T>(work: (db: EntityManager) => Promise<T>): Promise<T> => {
      const failure = this.failNext.shift();
      if (failure === 'before-commit') throw unavailable();
      const saved = { entries: [...this.entries], nodes: new Map(this.nodes), head: { ...this.head } };
      try {
        const result = await work({} as EntityManager);
        if (failure === 'after-commit') throw unavailable();
        return result;
      } catch (error) {
        if (failure !== 'after-commit') Object.assign(this, saved);
        throw error;
      }
    },
    lockHead: async () => ({ ...this.head }),
    actors: async () => new Map(),
    nodes: async (wanted: Array<{ level: number; index: number }>) => {
      const found = new Map<string, Buffer>();
      for (const w of wanted) {
        const hash = this.nodes.get(`${w.level}/${w.index}`);
        if (hash) found.set(`${w.level}/${w.index}`, hash);
      }
      return found;
    },
    insertEntries: async (_db: EntityManager, entries: StoredEntry[]) => void this.entries.push(...entries),
    insertNodes: async (_db: EntityManager, nodes: Array<{ level: number; index: number; hash: Uint8Array }>) => {
      for (const n of nodes) this.nodes.set(`${n.level}/${n.index}`, Buffer.from(n.hash));
    },
    setHead: async (_db: EntityManager, size: number, lastLeaf: Buffer) => void (this.head = { size, lastLeaf }),
    appendedAfter: async (_db: EntityManager, afterSeq: number, limit: number) =>
      this.entries.filter((e) => e.seq > afterSeq).slice(0, limit),
  };
}

const record = (action: string): PendingRecord => ({
  action: action as PendingRecord['action'],
  entity: { type: 'message', id: action },
  at: new Date(),
});

describe('AuditWriter while the database comes and goes', () => {
  beforeAll(() => ready());

  it('keeps a batch the database refused and writes it once it is back', async () => {
    const db = new MemoryAudit();
    const writer = new AuditWriter(db.repo as unknown as AuditRepository);
    db.failNext = ['before-commit', 'before-commit'];
    const results = await Promise.all([writer.record(record('message.sent')), writer.record(record('message.sent'))]);
    expect(results.map((r) => r.seq)).toEqual([1, 2]);
    expect(db.entries.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('does not append a batch twice when the connection broke after its commit', async () => {
    const db = new MemoryAudit();
    const writer = new AuditWriter(db.repo as unknown as AuditRepository);
    await writer.record(record('user.created'));
    db.failNext = ['after-commit'];
    const result = await writer.record(record('message.sent'));
    expect(result.seq).toBe(2);
    expect(db.entries.map((e) => [e.seq, e.action])).toEqual([
      [1, 'user.created'],
      [2, 'message.sent'],
    ]);
    // The log goes on from there.
    expect((await writer.record(record('message.recalled'))).seq).toBe(3);
  });

  it('gives up on other errors at once', async () => {
    const db = new MemoryAudit();
    const writer = new AuditWriter(db.repo as unknown as AuditRepository);
    db.repo.lockHead = async () => {
      throw new TypeError('a bug');
    };
    await expect(writer.record(record('message.sent'))).rejects.toThrow('a bug');
  });
});
