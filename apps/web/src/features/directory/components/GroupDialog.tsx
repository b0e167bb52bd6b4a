import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../../ui/Field';
import { FormDialog } from '../../../ui/FormDialog';

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
  const submit = () => {
    onSubmit({ name: name.trim() === '' ? null : name.trim().slice(0, 100), includeSubdepartments });
  };
  return (
    <FormDialog
      title={t('adminOrg.createGroupTitle', { name: departmentName })}
      error={error}
      submitLabel={t('adminOrg.createGroup')}
      submitDisabled={busy}
      onSubmit={submit}
      onCancel={onCancel}
    >
      <TextField
        label={t('adminOrg.groupName')}
        optional
        help={t('adminOrg.groupNameHelp', { name: departmentName })}
        value={name}
        autoComplete="off"
        onChange={(event) => setName(event.target.value)}
      />
      <label className="checkbox">
        <input type="checkbox" checked={includeSubdepartments} onChange={(event) => setInclude(event.target.checked)} />
        <span>{t('adminOrg.includeSub')}</span>
      </label>
    </FormDialog>
  );
}
