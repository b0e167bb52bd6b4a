import { bytesEqual, ed25519Verify, fromBase64Url, utf8Encode } from '@miyu/crypto';
import {
  type SignedWordPolicy,
  WORD_POLICY_SIGNING_CONTEXT,
  type WordPolicyDocument,
  wordPolicyDocumentSchema,
} from '@miyu/protocol';
import { type CompiledFilter, compileFilter, type FilterAction, type FilterHit } from '@miyu/word-filter';
import type { DeviceStore } from './deviceStore';

const CACHE = 'word-policy';
const PINNED_KEY = 'word-policy-key';

/** The organisation's policy as this device enforces it (version 0: none published yet). */
export interface ClientPolicy {
  version: number;
  filter: CompiledFilter | null;
}

/** What the policy says about a text, before it is encrypted. `text` is what may be sent (masked where required). */
export interface Screening {
  version: number;
  action: FilterAction | null;
  hits: FilterHit[];
  text: string;
}

/** The signed policy could not be trusted: wrong signature, a different key than the pinned one, or a rollback. */
export class WordPolicyUntrustedError extends Error {
  readonly code = 'WORD_POLICY_UNTRUSTED';
  constructor(reason: string) {
    super(`The content policy from the server is not trusted: ${reason}`);
  }
}

/** A text the policy does not let through: blocked, or needing the writer's confirmation first (warn). */
export class ContentRefusedError extends Error {
  readonly code = 'WORD_FILTER_BLOCKED';
  constructor(
    readonly action: 'block' | 'warn',
    readonly words: string[],
  ) {
    super(`The text contains ${action === 'block' ? 'blocked' : 'flagged'} words.`);
  }
}

/**
 * Verifies a signed policy: the signature must verify under the key this device pinned the first time it saw one
 * (trust on first use, like a safety number), and the payload must be the document it claims to be.
 */
export function verifySignedPolicy(signed: SignedWordPolicy, pinnedKey: string | null): WordPolicyDocument {
  const key = fromBase64Url(signed.publicKey, 'policy public key');
  if (pinnedKey !== null && !bytesEqual(key, fromBase64Url(pinnedKey, 'pinned policy key')))
    throw new WordPolicyUntrustedError('it is signed by a different key than before');
  const message = utf8Encode(WORD_POLICY_SIGNING_CONTEXT + signed.payload);
  if (!ed25519Verify(key, message, fromBase64Url(signed.signature, 'policy signature')))
    throw new WordPolicyUntrustedError('the signature does not verify');
  let document: WordPolicyDocument;
  try {
    document = wordPolicyDocumentSchema.parse(JSON.parse(signed.payload));
  } catch {
    throw new WordPolicyUntrustedError('the document is malformed');
  }
  if (document.version !== signed.version) throw new WordPolicyUntrustedError('the version does not match');
  return document;
}

/**
 * Keeps this device's copy of the policy: fetched from the server, verified, cached in the device store (and
 * verified again when read back), never rolled back to an older version.
 */
export class WordPolicyKeeper {
  private policy: Promise<ClientPolicy> | null = null;

  constructor(
    private readonly fetchSigned: () => Promise<SignedWordPolicy | null>,
    private readonly store: DeviceStore,
  ) {}

  /** The policy in force here: the cached one, else the server's. */
  current(): Promise<ClientPolicy> {
    this.policy ??= this.fromCache().then((cached) => cached ?? this.refresh());
    return this.policy;
  }

  /** Fetches the server's current policy (after the server said ours is stale). */
  refresh(): Promise<ClientPolicy> {
    const next = this.load();
    this.policy = next.catch(() => this.fromCache().then((c) => c ?? { version: 0, filter: null }));
    return next;
  }

  /** Checks a text; `mask` rules are applied to the returned text. */
  async screen(text: string): Promise<Screening> {
    const { version, filter } = await this.current();
    if (!filter || text === '') return { version, action: null, hits: [], text };
    const { hits, action } = filter.scan(text);
    return { version, action, hits, text: hits.length > 0 ? filter.mask(text, hits) : text };
  }

  private async load(): Promise<ClientPolicy> {
    const signed = await this.fetchSigned();
    const cachedVersion = ((await this.store.getMeta<SignedWordPolicy>(CACHE)) ?? { version: 0 }).version;
    if (!signed) {
      if (cachedVersion > 0) throw new WordPolicyUntrustedError('the server no longer offers a policy');
      return { version: 0, filter: null };
    }
    if (signed.version < cachedVersion) throw new WordPolicyUntrustedError('it is older than the one this device has');
    const pinned = await this.store.getMeta<string>(PINNED_KEY);
    const document = verifySignedPolicy(signed, pinned);
    if (pinned === null) await this.store.setMeta(PINNED_KEY, signed.publicKey);
    await this.store.setMeta(CACHE, signed);
    return compile(document);
  }

  private async fromCache(): Promise<ClientPolicy | null> {
    const signed = await this.store.getMeta<SignedWordPolicy>(CACHE);
    if (!signed) return null;
    try {
      return compile(verifySignedPolicy(signed, await this.store.getMeta<string>(PINNED_KEY)));
    } catch {
      return null;
    }
  }
}

function compile(document: WordPolicyDocument): ClientPolicy {
  return {
    version: document.version,
    filter: compileFilter({ rules: document.rules, whitelist: document.whitelist, options: document.options }),
  };
}

/** Refuses a screened text the policy blocks, or that warns without the writer having confirmed. */
export function enforce(screening: Screening, confirmed: boolean): void {
  const words = (action: FilterAction) => [
    ...new Set(screening.hits.filter((h) => h.action === action).map((h) => h.text)),
  ];
  if (screening.action === 'block') throw new ContentRefusedError('block', words('block'));
  if (!confirmed && screening.hits.some((h) => h.action === 'warn'))
    throw new ContentRefusedError('warn', words('warn'));
}

/**
 * Mention offsets after masking: a masked span may change the text's length (one `*` per code point), so mentions
 * after it move by the difference.
 */
export function shiftMentions<M extends { start: number; length: number }>(
  mentions: readonly M[],
  hits: readonly FilterHit[],
  original: string,
): M[] {
  const spans: Array<[number, number]> = [];
  for (const h of [...hits].filter((x) => x.action === 'mask').sort((a, b) => a.start - b.start)) {
    const last = spans[spans.length - 1];
    if (last && h.start <= last[1]) last[1] = Math.max(last[1], h.end);
    else spans.push([h.start, h.end]);
  }
  return mentions.map((m) => {
    let delta = 0;
    for (const [start, end] of spans)
      if (end <= m.start) delta += [...original.slice(start, end)].length - (end - start);
    return { ...m, start: m.start + delta };
  });
}
