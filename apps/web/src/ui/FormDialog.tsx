import type { FormEvent, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from './Button';
import { Modal } from './Modal';

export interface FormDialogProps {
  title: string;
  /** The server's refusal (or another error for the whole form), announced to screen readers. */
  error: string | null;
  submitLabel: string;
  submitDisabled: boolean;
  onSubmit: () => void;
  onCancel: () => void;
  /** Buttons between Cancel and the submit button (e.g. "clear"). */
  extraActions?: ReactNode;
  children: ReactNode;
}

/** A modal holding one form: the error line, the fields, then Cancel and the submit button. */
export function FormDialog({
  title,
  error,
  submitLabel,
  submitDisabled,
  onSubmit,
  onCancel,
  extraActions,
  children,
}: FormDialogProps) {
  const { t } = useTranslation();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <Modal title={title} onClose={onCancel}>
      <form className="form" onSubmit={submit} noValidate>
        <FormError error={error} />
        {children}
        <div className="form__actions form__actions--end">
          <Button variant="ghost" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
          {extraActions}
          <Button type="submit" variant="primary" disabled={submitDisabled}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** The error line of a form or dialog; nothing when there is no error. */
export function FormError({ error }: { error: string | null }) {
  return error ? (
    <p className="field__error" role="alert">
      {error}
    </p>
  ) : null;
}
