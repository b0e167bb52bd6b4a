import {
  type MessageContent,
  type OutboundSenderKey,
  type X25519KeyPair,
  createOutboundSenderKey,
  encryptGroupMessage,
  envelopeToJson,
  ready,
  toBase64Url,
  withEscrow,
  x25519GenerateKeyPair,
} from '@miyu/crypto';
import type { ExportMessage, ExportPerson } from '@miyu/protocol';
import { openExportMessage, type RecordContext } from './message-record.js';
import { SessionBook } from './session-book.js';

const CONV = '0190a1b2-c3d4-7e5f-8a6b-00000000c001';
const ALICE = '0190a1b2-c3d4-7e5f-8a6b-00000000a001';
const BOB = '0190a1b2-c3d4-7e5f-8a6b-00000000b001';
const DEVICE = '0190a1b2-c3d4-7e5f-8a6b-00000000d001';
const KEY_ID = '0190a1b2-c3d4-7e5f-8a6b-00000000e001';
const OLD_KEY_ID = '0190a1b2-c3d4-7e5f-8a6b-00000000e000';

const people = new Map<string, ExportPerson>([
  [ALICE, { id: ALICE, displayName: '王芳', login: 'wangfang', employeeNo: 'E-7', email: null }],
  [BOB, { id: BOB, displayName: 'Bob', login: 'bob', employeeNo: null, email: null }],
]);

/** A sender device writing into CONV under one escrowed session. */
function sender(compliance: Uint8Array | null) {
  let session: OutboundSenderKey = withEscrow(
    createOutboundSenderKey({ conversationId: CONV, senderUserId: ALICE, senderDeviceId: DEVICE, epoch: 0 }),
    compliance,
  );
  let seq = 0;
  let n = 0;
  return {
    get session() {
      return session;
    },
    send(content: MessageContent, extra: Partial<ExportMessage> = {}): ExportMessage & { clientMsgId: string } {
      const clientMsgId = `0190a1b2-c3d4-7e5f-8a6b-${String(++n).padStart(12, '0')}`;
      const out = encryptGroupMessage(session, { clientMsgId, policyVersion: 0, content });
      session = out.session;
      return {
        seq: ++seq,
        serverTs: `2026-03-01T08:00:${String(seq).padStart(2, '0')}.000Z`,
        senderUserId: ALICE,
        senderDeviceId: DEVICE,
        envelope: envelopeToJson(out.envelope) as unknown as Record<string, unknown>,
        system: null,
        recalledAt: null,
        recalledBy: null,
        ...extra,
        clientMsgId,
      };
    },
  };
}

describe('opening exported messages with the compliance key', () => {
  let compliance: X25519KeyPair;
  const ctx = (book: SessionBook): RecordContext => ({
    conversation: { id: CONV, name: '项目组' },
    people,
    book,
    complianceKeys: [compliance.publicKey],
  });

  beforeAll(async () => {
    await ready();
    compliance = x25519GenerateKeyPair();
  });

  it('opens texts, edits, recalls, reactions and attachments, with sender, references and the recall flag', () => {
    const a = sender(compliance.publicKey);
    const book = new SessionBook([{ keyId: KEY_ID, pair: compliance }]);
    book.addListed(CONV, [
      {
        sessionId: toBase64Url(a.session.sessionId),
        senderUserId: ALICE,
        senderDeviceId: DEVICE,
        keyId: KEY_ID,
        wrap: toBase64Url(a.session.escrow!.wrap),
        firstSeq: 1,
      },
    ]);
    const first = a.send(
      { type: 'text', body: '@Bob 你好 =1+1', mentions: [{ userId: BOB, start: 0, length: 4 }], replyTo: null },
      { recalledAt: '2026-03-01T09:00:00.000Z', recalledBy: ALICE },
    );
    const target = { clientMsgId: first.clientMsgId, senderUserId: ALICE };
    const edit = a.send({ type: 'edit', target, body: 'edited', mentions: [] });
    const recall = a.send({ type: 'recall', target });
    const reaction = a.send({ type: 'reaction', target, emoji: '👍', remove: true });
    const file = a.send({
      type: 'attachment',
      caption: 'report',
      replyTo: target,
      attachments: [
        {
          blobId: '0190a1b2-c3d4-7e5f-8a6b-00000000f001',
          name: 'q1.pdf',
          mimeType: 'application/pdf',
          size: 10,
          chunkSize: 65536,
          key: new Uint8Array(32).fill(7),
          digest: new Uint8Array(32).fill(9),
        },
      ],
    });

    const r1 = openExportMessage(first, ctx(book)).record;
    expect(r1).toMatchObject({
      conversationId: CONV,
      conversationName: '项目组',
      seq: 1,
      time: '2026-03-01T08:00:01.000Z',
      senderUserId: ALICE,
      senderName: '王芳',
      senderLogin: 'wangfang',
      senderEmployeeNo: 'E-7',
      clientMsgId: first.clientMsgId,
      type: 'text',
      text: '@Bob 你好 =1+1',
      mentions: [{ userId: BOB, name: 'Bob', start: 0, length: 4 }],
      recalled: true,
      recalledAt: '2026-03-01T09:00:00.000Z',
      recalledBy: ALICE,
      recalledByName: '王芳',
      escrow: 'valid',
      error: null,
    });
    expect(openExportMessage(edit, ctx(book)).record).toMatchObject({ type: 'edit', text: 'edited', target });
    expect(openExportMessage(recall, ctx(book)).record).toMatchObject({ type: 'recall', text: null, target });
    expect(openExportMessage(reaction, ctx(book)).record).toMatchObject({
      type: 'reaction',
      text: '👍',
      reactionRemoved: true,
    });
    const opened = openExportMessage(file, ctx(book));
    expect(opened.record).toMatchObject({
      type: 'attachment',
      text: 'report',
      replyTo: target,
      attachments: [{ n: 1, name: 'q1.pdf', mimeType: 'application/pdf', size: 10, file: null, error: null }],
    });
    expect(opened.attachmentRefs[0]!.blobId).toBe('0190a1b2-c3d4-7e5f-8a6b-00000000f001');
  });

  it('rebuilds a session the server did not list from the envelope’s own wrap', () => {
    const a = sender(compliance.publicKey);
    const m = a.send({ type: 'text', body: 'self-contained', mentions: [], replyTo: null });
    const book = new SessionBook([{ keyId: KEY_ID, pair: compliance }]);
    expect(openExportMessage(m, ctx(book)).record).toMatchObject({ text: 'self-contained', escrow: 'valid' });
    expect(book.size).toBe(1);
  });

  it('turns what cannot be opened into rows with an error code, never dropping them', () => {
    const book = new SessionBook([{ keyId: KEY_ID, pair: compliance }]);
    const plain = sender(null).send({ type: 'text', body: 'no escrow', mentions: [], replyTo: null });
    expect(openExportMessage(plain, ctx(book)).record).toMatchObject({
      type: 'unreadable',
      text: null,
      error: { code: 'NO_ESCROW' },
    });

    const otherKey = x25519GenerateKeyPair();
    const old = sender(otherKey.publicKey);
    const oldMessage = old.send({ type: 'text', body: 'under the old key', mentions: [], replyTo: null });
    book.addListed(CONV, [
      {
        sessionId: toBase64Url(old.session.sessionId),
        senderUserId: ALICE,
        senderDeviceId: DEVICE,
        keyId: OLD_KEY_ID,
        wrap: toBase64Url(old.session.escrow!.wrap),
        firstSeq: 1,
      },
    ]);
    expect(openExportMessage(oldMessage, ctx(book)).record.error).toMatchObject({ code: 'ESCROW_OTHER_KEY' });
    const unlisted = sender(otherKey.publicKey).send({ type: 'text', body: 'x', mentions: [], replyTo: null });
    expect(openExportMessage(unlisted, ctx(book)).record.error).toMatchObject({ code: 'ESCROW_UNREADABLE' });

    const a = sender(compliance.publicKey);
    const good = a.send({ type: 'text', body: 'tampered', mentions: [], replyTo: null });
    const envelope = { ...good.envelope! };
    const ct = Buffer.from(envelope.ciphertext as string, 'base64url');
    ct[0]! ^= 1;
    envelope.ciphertext = ct.toString('base64url');
    expect(openExportMessage({ ...good, envelope }, ctx(book)).record.error).toMatchObject({ code: 'BAD_SIGNATURE' });
    expect(openExportMessage({ ...good, envelope: { v: 1 } }, ctx(book)).record.error).toMatchObject({
      code: 'MALFORMED_ENVELOPE',
    });
    expect(openExportMessage({ ...good, senderUserId: BOB }, ctx(book)).record.error).toMatchObject({
      code: 'ENVELOPE_MISMATCH',
    });
    expect(openExportMessage({ ...good, envelope: null }, ctx(book)).record.error).toMatchObject({
      code: 'NO_CONTENT',
    });
  });

  it('opens each session with whichever of several keys its wrap is for, trying the one the server names first', () => {
    const oldKey = x25519GenerateKeyPair();
    const before = sender(oldKey.publicKey);
    const after = sender(compliance.publicKey);
    const third = sender(oldKey.publicKey);
    const m1 = before.send({ type: 'text', body: 'before the rotation', mentions: [], replyTo: null });
    const m2 = after.send({ type: 'text', body: 'after the rotation', mentions: [], replyTo: null });
    const m3 = third.send({ type: 'text', body: 'mislabelled by the server', mentions: [], replyTo: null });
    const unlisted = sender(compliance.publicKey).send({ type: 'text', body: 'unlisted', mentions: [], replyTo: null });
    const listing = (s: OutboundSenderKey, keyId: string) => ({
      sessionId: toBase64Url(s.sessionId),
      senderUserId: ALICE,
      senderDeviceId: DEVICE,
      keyId,
      wrap: toBase64Url(s.escrow!.wrap),
      firstSeq: 1,
    });
    const listed = [
      listing(before.session, OLD_KEY_ID),
      listing(after.session, KEY_ID),
      // The server's keyId is only a hint: a wrap names no key, so every key given is tried.
      listing(third.session, KEY_ID),
    ];
    const both = new SessionBook([
      { keyId: OLD_KEY_ID, pair: oldKey },
      { keyId: KEY_ID, pair: compliance },
    ]);
    both.addListed(CONV, listed);
    expect(both.size).toBe(3);
    const bothCtx: RecordContext = { ...ctx(both), complianceKeys: [oldKey.publicKey, compliance.publicKey] };
    expect([m1, m2, m3, unlisted].map((m) => openExportMessage(m, bothCtx).record)).toEqual([
      expect.objectContaining({ text: 'before the rotation', escrow: 'valid', error: null }),
      expect.objectContaining({ text: 'after the rotation', escrow: 'valid', error: null }),
      expect.objectContaining({ text: 'mislabelled by the server', escrow: 'valid', error: null }),
      expect.objectContaining({ text: 'unlisted', escrow: 'valid', error: null }),
    ]);

    // With the old key alone, the sessions wrapped to the new one are rows with ESCROW_OTHER_KEY (listed) or
    // ESCROW_UNREADABLE (not listed), never dropped.
    const oldOnly = new SessionBook([{ keyId: OLD_KEY_ID, pair: oldKey }]);
    oldOnly.addListed(CONV, listed);
    const oldCtx: RecordContext = { ...ctx(oldOnly), complianceKeys: [oldKey.publicKey] };
    expect([m1, m2, m3, unlisted].map((m) => openExportMessage(m, oldCtx).record.error?.code ?? null)).toEqual([
      null,
      'ESCROW_OTHER_KEY',
      null,
      'ESCROW_UNREADABLE',
    ]);
    expect(openExportMessage(unlisted, oldCtx).record.error!.message).toMatch(/with this compliance key/);
    const none = new SessionBook([
      { keyId: OLD_KEY_ID, pair: oldKey },
      { keyId: null, pair: x25519GenerateKeyPair() },
    ]);
    expect(openExportMessage(unlisted, { ...ctx(none), complianceKeys: [] }).record.error).toEqual({
      code: 'ESCROW_UNREADABLE',
      message: expect.stringMatching(/opens with none of the 2 compliance keys given/),
    });
    expect(() => new SessionBook([])).toThrow(/at least one compliance key/);
  });

  it('exports server events as rows of their own', () => {
    const r = openExportMessage(
      {
        seq: 9,
        serverTs: '2026-03-01T08:00:09.000Z',
        senderUserId: null,
        senderDeviceId: null,
        envelope: null,
        system: { type: 'member_added', userIds: [BOB] },
        recalledAt: null,
        recalledBy: null,
      },
      ctx(new SessionBook([{ keyId: KEY_ID, pair: compliance }])),
    ).record;
    expect(r).toMatchObject({ type: 'event', senderUserId: null, error: null, escrow: null });
    expect(JSON.parse(r.text!)).toEqual({ type: 'member_added', userIds: [BOB] });
  });
});
