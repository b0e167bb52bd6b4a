import {
  AttachmentDecryptor,
  AttachmentEncryptor,
  attachmentCiphertextSize,
  attachmentDigest,
  decryptAttachmentStream,
  encryptAttachmentStream,
} from './attachments.js';
import { concatBytes } from './bytes.js';
import { randomBytes } from './primitives.js';
import { ready } from './sodium.js';
import { expectCryptoError, expectCryptoErrorAsync, fillerBytes } from '../test/helpers.js';

beforeAll(async () => {
  await ready();
});

const CHUNK = 4096;

function encryptAll(data: Uint8Array, pieceSize: number) {
  const enc = new AttachmentEncryptor({ chunkSize: CHUNK });
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += pieceSize) pieces.push(...enc.update(data.subarray(i, i + pieceSize)));
  const end = enc.final();
  pieces.push(...end.pieces);
  return { key: enc.key, blob: concatBytes(...pieces), ...end };
}

function decryptAll(key: Uint8Array, blob: Uint8Array, digest: Uint8Array | null, pieceSize = 1000): Uint8Array {
  const dec = new AttachmentDecryptor({ key, chunkSize: CHUNK, digest });
  const out: Uint8Array[] = [];
  for (let i = 0; i < blob.length; i += pieceSize) out.push(...dec.update(blob.subarray(i, i + pieceSize)));
  out.push(...dec.final());
  return concatBytes(...out);
}

describe('attachments', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7])('round-trips %i bytes', (size) => {
    const data = fillerBytes(size, size + 1);
    const r = encryptAll(data, 777);
    expect(r.blob.length).toBe(attachmentCiphertextSize(size, CHUNK));
    expect(r.ciphertextSize).toBe(r.blob.length);
    expect(decryptAll(r.key, r.blob, r.digest)).toEqual(data);
  });

  it('detects truncation, extension, reordering, tampering and digest mismatch', () => {
    const r = encryptAll(fillerBytes(3 * CHUNK + 5), 5000);
    const cipherChunk = CHUNK + 17;
    expectCryptoError(() => decryptAll(r.key, r.blob.subarray(0, 24 + 2 * cipherChunk), null), 'TRUNCATED');
    expectCryptoError(() => decryptAll(r.key, r.blob.subarray(0, 30), null), 'TRUNCATED');
    expectCryptoError(() => decryptAll(r.key, concatBytes(r.blob, new Uint8Array(17)), null));
    const c1 = r.blob.subarray(24, 24 + cipherChunk);
    const c2 = r.blob.subarray(24 + cipherChunk, 24 + 2 * cipherChunk);
    const swapped = concatBytes(r.blob.subarray(0, 24), c2, c1, r.blob.subarray(24 + 2 * cipherChunk));
    expectCryptoError(() => decryptAll(r.key, swapped, null), 'DECRYPT_FAILED');
    const flipped = r.blob.slice();
    flipped[100]! ^= 1;
    expectCryptoError(() => decryptAll(r.key, flipped, null), 'DECRYPT_FAILED');
    expectCryptoError(() => decryptAll(r.key, r.blob, new Uint8Array(32)), 'DIGEST_MISMATCH');
    expectCryptoError(() => decryptAll(randomBytes(32), r.blob, null), 'DECRYPT_FAILED');
  });

  it('streams 100 MiB in constant memory, digest checked, without materialising the file', async () => {
    const total = 100 * 1024 * 1024;
    const block = fillerBytes(1024 * 1024);
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let sent = 0; sent < total; sent += block.length) yield block;
    }
    const before = process.memoryUsage();
    const encrypted = encryptAttachmentStream(source(), { chunkSize: 1024 * 1024 });
    // Pipe the ciphertext straight into the decryptor, as an upload/download pair would, counting bytes only.
    let received = 0;
    let mismatch = false;
    const plain = decryptAttachmentStream(encrypted.stream, { key: encrypted.key, chunkSize: 1024 * 1024 });
    for await (const piece of plain) {
      const offset = received % block.length;
      if (piece[0] !== block[offset] || piece[piece.length - 1] !== block[offset + piece.length - 1]) mismatch = true;
      received += piece.length;
    }
    const result = await encrypted.result;
    const after = process.memoryUsage();
    expect(mismatch).toBe(false);
    expect(received).toBe(total);
    expect(result.size).toBe(total);
    expect(result.ciphertextSize).toBe(attachmentCiphertextSize(total, 1024 * 1024));
    // The file is 100 MiB; holding it even once would show up here.
    expect(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)).toBeLessThan(
      48 * 1024 * 1024,
    );
  }, 60_000);

  it('digest helper and stream decryption agree with the encryptor', async () => {
    const data = fillerBytes(10_000);
    const r = encryptAll(data, 999);
    expect(await attachmentDigest([r.blob.subarray(0, 5), r.blob.subarray(5)])).toEqual(r.digest);
    const out: Uint8Array[] = [];
    for await (const p of decryptAttachmentStream([r.blob], {
      key: r.key,
      chunkSize: CHUNK,
      digest: r.digest,
      size: data.length,
    }))
      out.push(p);
    expect(concatBytes(...out)).toEqual(data);
    await expectCryptoErrorAsync(async () => {
      for await (const _ of decryptAttachmentStream([r.blob], { key: r.key, chunkSize: CHUNK, size: 5 })) void _;
    }, 'MALFORMED');
  });
});
