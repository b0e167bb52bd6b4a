import { ConfirmDialog } from './ConfirmDialog';
import type { ConfirmedAction } from './useConfirmedAction';

export interface ConfirmedActionDialogProps<T> {
  action: ConfirmedAction<T>;
  title: (item: T) => string;
  body: (item: T) => string;
  confirmLabel: string;
}

/** The danger confirmation of a useConfirmedAction, shown while an item waits for it. */
export function ConfirmedActionDialog<T>({ action, title, body, confirmLabel }: ConfirmedActionDialogProps<T>) {
  const item = action.pending;
  if (item === null) return null;
  return (
    <ConfirmDialog
      title={title(item)}
      body={body(item)}
      confirmLabel={confirmLabel}
      danger
      busy={action.busy}
      onConfirm={action.confirm}
      onCancel={action.cancel}
    />
  );
}
