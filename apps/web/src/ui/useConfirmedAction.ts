import { useState } from 'react';

/** The part of a TanStack mutation over an item id that a confirmed action uses. */
export interface ItemMutation<TData> {
  isPending: boolean;
  reset: () => void;
  mutate: (id: string, options?: { onSuccess?: (data: TData) => void; onSettled?: () => void }) => void;
}

export interface ConfirmedAction<T> {
  /** The item waiting for confirmation (and, once confirmed, until the mutation settles). */
  pending: T | null;
  /** The mutation is running. */
  busy: boolean;
  /** Asks for confirmation for this item, clearing the previous attempt's error. */
  ask: (item: T) => void;
  /** Runs the mutation on the pending item; the confirmation closes when it settles, done or failed. */
  confirm: () => void;
  cancel: () => void;
}

/** A destructive action on a listed item that runs only after confirmation (ConfirmedActionDialog shows it). */
export function useConfirmedAction<T extends { id: string }, TData = unknown>(
  mutation: ItemMutation<TData>,
  onSuccess?: (data: TData) => void,
): ConfirmedAction<T> {
  const [pending, setPending] = useState<T | null>(null);
  return {
    pending,
    busy: mutation.isPending,
    ask: (item) => {
      mutation.reset();
      setPending(item);
    },
    confirm: () => {
      if (pending === null) return;
      mutation.mutate(pending.id, { onSuccess: (data) => onSuccess?.(data), onSettled: () => setPending(null) });
    },
    cancel: () => setPending(null),
  };
}
