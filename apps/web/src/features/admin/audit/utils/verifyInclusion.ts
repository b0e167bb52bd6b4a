import {
  AUDIT_CHECKPOINT_CONTEXT,
  type AuditEntryDto,
  type AuditInclusionProof,
  type SignedAuditCheckpoint,
} from '@miyu/protocol';
import {
  canonicalJson,
  ed25519Verify,
  fromBase64Url,
  fromHex,
  merkleLeafHash,
  ready,
  toHex,
  utf8Encode,
  verifyMerkleInclusion,
} from '@miyu/crypto';

/** What the browser checked; each is false when the check failed (or the data could not be read). */
export interface InclusionOutcome {
  /** The checkpoint is signed by the key it names. */
  signature: boolean;
  /** The entry as shown hashes to its leaf hash, and the proof is for that leaf. */
  leaf: boolean;
  /** The proof leads from the leaf to the checkpoint's root. */
  inclusion: boolean;
}

// Loaded on demand (libsodium): keep this module out of every eager import.
export async function verifyAuditInclusion(
  item: AuditEntryDto,
  signed: SignedAuditCheckpoint,
  proof: AuditInclusionProof,
): Promise<InclusionOutcome> {
  await ready();
  const { checkpoint } = signed;
  const attempt = (check: () => boolean) => {
    try {
      return check();
    } catch {
      return false;
    }
  };
  const signature = attempt(() =>
    ed25519Verify(
      fromBase64Url(signed.publicKey),
      utf8Encode(AUDIT_CHECKPOINT_CONTEXT + canonicalJson(checkpoint)),
      fromBase64Url(signed.signature),
    ),
  );
  const leaf = attempt(() => {
    const hash = toHex(merkleLeafHash(utf8Encode(canonicalJson(item.entry))));
    return hash === item.leafHash && hash === proof.leafHash;
  });
  const inclusion = attempt(
    () =>
      proof.treeSize === checkpoint.size &&
      verifyMerkleInclusion(
        fromHex(proof.leafHash),
        item.entry.seq - 1,
        proof.treeSize,
        proof.proof.map((hash) => fromHex(hash)),
        fromHex(checkpoint.root),
      ),
  );
  return { signature, leaf, inclusion };
}
