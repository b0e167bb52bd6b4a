import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  AUDIT_CHECKPOINT_CONTEXT,
  type AuditCheckpointBody,
  type AuditConsistencyProof,
  type AuditInclusionProof,
  type SignedAuditCheckpoint,
} from '@miyu/protocol';
import {
  canonicalJson,
  type MerkleNodeSource,
  merkleConsistencyProof,
  merkleInclusionProof,
  merkleRootFromNodes,
  ready,
} from '@miyu/crypto';
import { logger } from '../../common/logging/json-logger.js';
import { SigningKeys } from '../../common/security/signing-keys.js';
import { AuditRepository } from './audit.repository.js';
import { AuditError } from './audit.errors.js';
import { CHECKPOINT_EVERY_ENTRIES } from './audit-writer.js';

/** A checkpoint is signed after this long when any entry is not covered yet. */
export const CHECKPOINT_EVERY_MS = 60_000;

/**
 * The audit log's Merkle tree as stored (RFC 9162): signed checkpoints (tree heads), inclusion proofs for entries and
 * consistency proofs between sizes, all answered from stored perfect-subtree hashes.
 */
@Injectable()
export class AuditTree implements OnModuleInit, OnModuleDestroy {
  private timer: ReturnType<typeof setInterval> | undefined;
  private signing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repo: AuditRepository,
    private readonly keys: SigningKeys,
  ) {}

  async onModuleInit(): Promise<void> {
    await ready();
    this.timer = setInterval(() => void this.checkpointIfDue(1).catch(report), CHECKPOINT_EVERY_MS);
    this.timer.unref?.();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Signs a checkpoint when at least `minNew` entries are not covered by the latest one. */
  checkpointIfDue(minNew = CHECKPOINT_EVERY_ENTRIES): Promise<SignedAuditCheckpoint | null> {
    const next = this.signing.then(async () => {
      const [size, latest] = await Promise.all([this.repo.head(), this.repo.latestCheckpoint()]);
      if (size - (latest?.size ?? 0) < minNew || size === 0) return null;
      return this.sign(size);
    });
    this.signing = next.catch(() => undefined);
    return next;
  }

  /** The latest signed checkpoint; signs one first when entries are not covered yet. */
  async latest(): Promise<SignedAuditCheckpoint> {
    await this.checkpointIfDue(1);
    const row = await this.repo.latestCheckpoint();
    if (!row) return this.sign(0);
    return this.signed(row.body, row.signature);
  }

  async inclusion(seq: number, size?: number): Promise<AuditInclusionProof> {
    const treeSize = size ?? (await this.latest()).checkpoint.size;
    if (seq > treeSize) throw AuditError.outOfRange(`entry ${seq} is not in a tree of ${treeSize}`);
    if (treeSize > (await this.repo.head())) throw AuditError.outOfRange(`the log has fewer than ${treeSize} entries`);
    const leaf = await this.repo.node(0, seq - 1);
    if (!leaf) throw AuditError.notFound();
    const proof = await merkleInclusionProof(seq - 1, treeSize, this.source());
    return { seq, treeSize, leafHash: leaf.toString('hex'), proof: proof.map(hex) };
  }

  async consistency(from: number, to: number): Promise<AuditConsistencyProof> {
    if (from > to) throw AuditError.outOfRange('from must not be larger than to');
    if (to > (await this.repo.head())) throw AuditError.outOfRange(`the log has fewer than ${to} entries`);
    const proof = await merkleConsistencyProof(from, to, this.source());
    return { from, to, proof: proof.map(hex) };
  }

  source(): MerkleNodeSource {
    return {
      node: async (level, index) => {
        const hash = await this.repo.node(level, index);
        if (!hash) throw new Error(`audit tree node ${level}/${index} is missing`);
        return new Uint8Array(hash);
      },
    };
  }

  async publicKey(): Promise<string> {
    return (await this.keys.publicKey('audit')).toString('base64url');
  }

  private async sign(size: number): Promise<SignedAuditCheckpoint> {
    const root = await merkleRootFromNodes(size, this.source());
    const checkpoint: AuditCheckpointBody = { v: 1, size, root: hex(root), time: new Date().toISOString() };
    const body = canonicalJson(checkpoint);
    const signature = await this.keys.sign('audit', Buffer.from(AUDIT_CHECKPOINT_CONTEXT + body, 'utf8'));
    if (size > 0)
      await this.repo.insertCheckpoint({
        size,
        root: Buffer.from(root),
        signedAt: new Date(checkpoint.time),
        body,
        signature,
      });
    return this.signed(body, signature);
  }

  private async signed(body: string, signature: Buffer): Promise<SignedAuditCheckpoint> {
    return {
      checkpoint: JSON.parse(body) as AuditCheckpointBody,
      signature: signature.toString('base64url'),
      publicKey: await this.publicKey(),
    };
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function report(error: unknown): void {
  logger.event('error', 'audit', 'checkpoint failed', {
    error: error instanceof Error ? error.message : String(error),
  });
}
