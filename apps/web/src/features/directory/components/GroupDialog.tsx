import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../ui/Button';
import { TextField } from '../../../ui/Field';
import { Modal } from '../../../ui/Modal';

export interface GroupDialogProps {
  departmentName: string;
  busy: boolean;
  error: string | null;
  onSubmit: (values: { name: string | null; includeSubdepartments: boolean }) => void;
  onCancel: () => void;
}

/** A department group: its members follow the department (and, if chosen, its sub-departments). */
export function GroupDialog({ departmentName, busy, error, onSubmit, onCancel }: GroupDialogProps) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [includeSubdepartments, setInclude] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({ name: name.trim() === '' ? null : name.trim().slice(0, 100), includeSubdepartments });
  };
  return (
    <Modal title={t('adminOrg.createGroupTitle', { name: departmentName })} onClose={onCancel}>
      <form className="form" onSubmit={submit} noValidate>
        {error ? (
          <p className="field__error" role="alert">
            {error}
          </p>
        ) : null}
        <TextField
          label={t('adminOrg.groupName')}
          optional
          help={t('adminOrg.groupNameHelp', { name: departmentName })}
          value={name}
          autoComplete="off"
          onChange={(event) => setName(event.target.value)}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={includeSubdepartments}
            onChange={(event) => setInclude(event.target.checked)}
          />
          <span>{t('adminOrg.includeSub')}</span>
        </label>
        <div className="form__actions form__actions--end">
          <Button variant="ghost" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {t('adminOrg.createGroup')}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
