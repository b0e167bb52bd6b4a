import { z } from 'zod';

/**
 * Read receipts (issue 7) as per-member cursors: `readSeq` is the highest seq any of the member's devices showed,
 * `deliveredSeq` the highest it received. Cursors never go back. Who has read message s = members with
 * readSeq >= s. Only members see receipts; the read/unread lists of a message are its sender's.
 */
export const receiptsPolicySchema = z.enum(['enforced', 'optional']);
export type ReceiptsPolicy = z.infer<typeof receiptsPolicySchema>;

/** A device reports the highest seq it showed (read) or received (delivered) in a conversation. */
export const receiptReportSchema = z.strictObject({
  conversationId: z.uuid(),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export type ReceiptReport = z.infer<typeof receiptReportSchema>;

export interface ReceiptCursors {
  readSeq: number;
  deliveredSeq: number;
}

/** To the member's own devices: how far they have read and received (their unread badges follow). */
export interface ReceiptUpdatedEvent extends ReceiptCursors {
  conversationId: string;
  userId: string;
}

/**
 * To senders: someone's cursor passed some of their messages in this conversation; fetch the counts again. Coalesced
 * per sender and conversation (at most one per second), so a 5,000-member group reading a message sends its sender a
 * handful of these, not 5,000.
 */
export interface ReceiptsChangedEvent {
  conversationId: string;
}

/** Server-side coalescing window of `receipt:updated` (per reader and conversation) and `receipts:changed`. */
export const RECEIPT_EVENT_INTERVAL_MS = 1000;

export const MAX_RECEIPT_LIST = 200;

/** The sender's view of one of their messages: who has read it, or who has not. */
export const receiptListQuerySchema = z.strictObject({
  state: z.enum(['read', 'unread']),
  limit: z.coerce.number().int().min(1).max(MAX_RECEIPT_LIST).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ReceiptListQuery = z.infer<typeof receiptListQuerySchema>;

export interface ReceiptListPage {
  items: Array<{ userId: string }>;
  total: number;
}

export const receiptListPageSchema = z.object({
  items: z.array(z.object({ userId: z.uuid() })),
  total: z.number().int(),
}) satisfies z.ZodType<ReceiptListPage>;

/** How many members (besides the sender) have read each of the sender's own messages: the "ring". */
export const receiptSummaryQuerySchema = z.strictObject({
  seqs: z
    .string()
    .regex(/^\d{1,16}(,\d{1,16}){0,99}$/, { message: 'comma-separated seqs (at most 100)' })
    .transform((s) => [...new Set(s.split(',').map(Number))]),
});

export interface ReceiptSummary {
  /** Members other than the sender (the denominator of the ring). */
  members: number;
  /** Per seq: how many of them have read it, and how many have received it (read counts as received). */
  items: Array<{ seq: number; read: number; delivered: number }>;
}

export const receiptSummarySchema = z.object({
  members: z.number().int(),
  items: z.array(z.object({ seq: z.number().int(), read: z.number().int(), delivered: z.number().int() })),
}) satisfies z.ZodType<ReceiptSummary>;
