import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { ReceiptSummary } from '@miyu/protocol';
import type { ChatEngine } from '../engine/chatEngine';

export type ReceiptCounts = Map<number, { read: number; delivered: number; members: number }>;

/**
 * Read/delivered counts for the user's own messages on screen, refreshed whenever someone's cursor in the
 * conversation passes them (`receipts:changed`, coalesced by the server).
 */
export function useReceipts(engine: ChatEngine, conversationId: string, ownSeqs: readonly number[]): ReceiptCounts {
  const queryClient = useQueryClient();
  const seqs = [...ownSeqs].sort((a, b) => a - b).slice(-100);
  const key = ['chat', 'receipts', conversationId, seqs.join(',')];
  const summary = useQuery({
    queryKey: key,
    queryFn: () => engine.receiptSummary(conversationId, seqs),
    enabled: seqs.length > 0,
    staleTime: 30_000,
  });
  useEffect(
    () =>
      engine.onReceiptsChanged((changed) => {
        if (changed === conversationId)
          void queryClient.invalidateQueries({ queryKey: ['chat', 'receipts', conversationId] });
      }),
    [engine, conversationId, queryClient],
  );
  return toCounts(summary.data);
}

function toCounts(summary: ReceiptSummary | undefined): ReceiptCounts {
  const out: ReceiptCounts = new Map();
  for (const item of summary?.items ?? [])
    out.set(item.seq, { read: item.read, delivered: item.delivered, members: summary!.members });
  return out;
}
