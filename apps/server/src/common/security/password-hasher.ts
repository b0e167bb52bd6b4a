import type { OnModuleDestroy } from '@nestjs/common';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface PasswordHashParams {
  memoryMiB: number;
  iterations: number;
}

/**
 * Argon2id password hashing (libsodium `crypto_pwhash_str`, PHC string format) on a worker thread: one hash
 * costs ~100–300 ms of CPU in WASM, which must not stall the event loop that serves every socket.
 * Parameters are documented in docs/security.md; a hash made with older parameters still verifies.
 */
export class PasswordHasher implements OnModuleDestroy {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly ready: Promise<void>;
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly params: PasswordHashParams) {
    const sodiumPath = createRequire(import.meta.url).resolve('libsodium-wrappers-sumo');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sodiumPath } });
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', (m: { ready?: boolean }) =>
        m.ready ? resolve() : reject(new Error('worker failed')),
      );
      this.worker.once('error', reject);
    });
    this.worker.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.error ?? 'password worker error'));
    });
    this.worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  async hash(password: string): Promise<string> {
    return (await this.call('hash', password)) as string;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    return (await this.call('verify', password, hash)) as boolean;
  }

  /** Spends the same time as a real verification, so unknown accounts answer as slowly as known ones. */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('miyu-dummy-password-for-timing');
    await this.verify(await this.dummyHash, password);
    return false;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  private async call(op: 'hash' | 'verify', password: string, hash?: string): Promise<unknown> {
    await this.ready;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({
        id,
        op,
        password,
        hash,
        opslimit: this.params.iterations,
        memlimit: this.params.memoryMiB * 1024 * 1024,
      });
    });
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const sodium = require(workerData.sodiumPath);
sodium.ready.then(() => {
  parentPort.postMessage({ ready: true });
  parentPort.on('message', (m) => {
    try {
      if (m.op === 'hash') {
        parentPort.postMessage({ id: m.id, ok: true, value: sodium.crypto_pwhash_str(m.password, m.opslimit, m.memlimit) });
      } else {
        let ok = false;
        try { ok = sodium.crypto_pwhash_str_verify(m.hash, m.password); } catch { ok = false; }
        parentPort.postMessage({ id: m.id, ok: true, value: ok });
      }
    } catch (err) {
      parentPort.postMessage({ id: m.id, ok: false, error: String(err && err.message || err) });
    }
  });
});
`;
