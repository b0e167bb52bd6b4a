import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { departmentCodeSchema, departmentNameSchema, type DepartmentNodeDto } from '@miyu/protocol';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import { FormDialog, FormError } from '../../../ui/FormDialog';
import { Modal } from '../../../ui/Modal';
import { OrgTree } from './OrgTree';

export interface DepartmentNameDialogProps {
  title: string;
  submitLabel: string;
  initialName?: string;
  /** Whether to ask for a department code (only when creating). */
  withCode?: boolean;
  busy: boolean;
  error: string | null;
  onSubmit: (values: { name: string; code: string | null }) => void;
  onCancel: () => void;
}

/** Create or rename a department: a name (no "/") and, when creating, an optional code for imports. */
export function DepartmentNameDialog({
  title,
  submitLabel,
  initialName = '',
  withCode = false,
  busy,
  error,
  onSubmit,
  onCancel,
}: DepartmentNameDialogProps) {
  const { t } = useTranslation();
  const [name, setName] = useState(initialName);
  const [code, setCode] = useState('');
  const [invalid, setInvalid] = useState<{ name?: string; code?: string }>({});

  const submit = () => {
    const next: { name?: string; code?: string } = {};
    if (name.trim() === '') next.name = t('validation.required', { field: t('adminOrg.name') });
    else if (!departmentNameSchema.safeParse(name).success) next.name = t('adminOrg.nameFormat');
    if (code.trim() !== '' && !departmentCodeSchema.safeParse(code).success) next.code = t('adminOrg.codeFormat');
    setInvalid(next);
    if (next.name || next.code) return;
    onSubmit({ name: name.trim(), code: code.trim() === '' ? null : code.trim() });
  };

  return (
    <FormDialog
      title={title}
      error={error}
      submitLabel={submitLabel}
      submitDisabled={busy}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <TextField
        label={t('adminOrg.name')}
        value={name}
        error={invalid.name}
        autoComplete="off"
        onChange={(event) => setName(event.target.value)}
      />
      {withCode ? (
        <TextField
          label={t('adminOrg.code')}
          optional
          help={t('adminOrg.codeHelp')}
          value={code}
          error={invalid.code}
          autoComplete="off"
          onChange={(event) => setCode(event.target.value)}
        />
      ) : null}
    </FormDialog>
  );
}

export interface PickDepartmentDialogProps {
  title: string;
  confirmLabel: string;
  /** Offer "top level" (no parent) as a choice: moving a department to the root. */
  allowRoot?: boolean;
  /** The department being moved: it and its subtree cannot be chosen. */
  excludeId?: string | null;
  busy: boolean;
  error: string | null;
  /** The chosen department's id (null for top level) and its name as shown. */
  onConfirm: (departmentId: string | null, name: string) => void;
  onCancel: () => void;
}

/** Choose a department from the (lazy) org chart. */
export function PickDepartmentDialog({
  title,
  confirmLabel,
  allowRoot = false,
  excludeId = null,
  busy,
  error,
  onConfirm,
  onCancel,
}: PickDepartmentDialogProps) {
  const { t } = useTranslation();
  const [picked, setPicked] = useState<{ id: string | null; name: string } | null>(null);
  return (
    <Modal
      title={title}
      onClose={onCancel}
      footer={
        <>
          <Button variant="ghost" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
          <Button
            variant="primary"
            disabled={busy || picked === null}
            onClick={() => picked && onConfirm(picked.id, picked.name)}
          >
            {confirmLabel}
          </Button>
        </>
      }
    >
      <FormError error={error} />
      <p className="card__text" aria-live="polite">
        {picked ? t('adminOrg.picked', { name: picked.name }) : t('adminOrg.pickHint')}
      </p>
      {allowRoot ? (
        <Button
          size="sm"
          variant={picked?.id === null ? 'primary' : 'secondary'}
          onClick={() => setPicked({ id: null, name: t('adminOrg.topLevel') })}
        >
          {t('adminOrg.topLevel')}
        </Button>
      ) : null}
      <div className="picker">
        <OrgTree
          label={t('adminOrg.pickTree')}
          selectedId={picked?.id ?? null}
          disabledId={excludeId}
          onSelect={(node: DepartmentNodeDto) => setPicked({ id: node.id, name: node.name })}
        />
      </div>
    </Modal>
  );
}
