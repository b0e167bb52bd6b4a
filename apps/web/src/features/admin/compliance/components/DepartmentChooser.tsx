import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../../../ui/Button';
import { PickDepartmentDialog } from '../../../directory/picker';

export interface ChosenDepartment {
  id: string;
  name: string;
}

export interface DepartmentChooserProps {
  label: string;
  value: ChosenDepartment | null;
  error?: string | null;
  onChange: (department: ChosenDepartment | null) => void;
}

/** A department field: the chosen one's name (with "change"), picked from the org chart in a dialog. */
export function DepartmentChooser({ label, value, error, onChange }: DepartmentChooserProps) {
  const { t } = useTranslation();
  const id = useId();
  const [open, setOpen] = useState(false);
  return (
    <div className={error ? 'field field--invalid' : 'field'}>
      <span className="field__label" id={`${id}-label`}>
        {label}
      </span>
      <div className="cp-chosen" aria-labelledby={`${id}-label`} role="group">
        <span className={value ? 'cp-chosen__name' : 'cp-chosen__name cp-muted'}>
          {value ? value.name : t('adminCompliance.department.none')}
        </span>
        <Button size="sm" aria-describedby={error ? `${id}-error` : undefined} onClick={() => setOpen(true)}>
          {value ? t('adminCompliance.department.change') : t('adminCompliance.department.choose')}
        </Button>
      </div>
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      {open ? (
        <PickDepartmentDialog
          title={label}
          confirmLabel={t('adminCompliance.department.confirm')}
          busy={false}
          error={null}
          onConfirm={(departmentId, name) => {
            setOpen(false);
            onChange(departmentId === null ? null : { id: departmentId, name });
          }}
          onCancel={() => setOpen(false)}
        />
      ) : null}
    </div>
  );
}
