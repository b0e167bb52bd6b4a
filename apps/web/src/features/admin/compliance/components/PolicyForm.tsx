import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SetRetentionPolicyRequest } from '@miyu/protocol';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { TextField } from '../../../../ui/Field';
import { FormError } from '../../../../ui/FormDialog';
import { useSetRetentionPolicyMutation } from '../api/compliance.queries';
import { type ChosenDepartment, DepartmentChooser } from './DepartmentChooser';

export const MIN_POLICY_DAYS = 1;
export const MAX_POLICY_DAYS = 36_500;
type PolicyScope = SetRetentionPolicyRequest['scope'];
const SCOPES: readonly PolicyScope[] = ['org', 'department'];

/** Sets the org-wide or a department's deletion period; setting one that exists replaces its days. */
export function PolicyForm() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const save = useSetRetentionPolicyMutation();
  const [scope, setScope] = useState<PolicyScope>('org');
  const [department, setDepartment] = useState<ChosenDepartment | null>(null);
  const [days, setDays] = useState('');
  const [touched, setTouched] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  const dayCount = /^\d+$/.test(days.trim()) ? Number(days.trim()) : NaN;
  const daysError =
    Number.isInteger(dayCount) && dayCount >= MIN_POLICY_DAYS && dayCount <= MAX_POLICY_DAYS
      ? null
      : t('adminCompliance.policies.daysInvalid', { min: MIN_POLICY_DAYS, max: MAX_POLICY_DAYS });
  const departmentError = scope === 'department' && !department ? t('adminCompliance.department.required') : null;

  const edit = () => {
    setSaved(null);
    save.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (daysError || departmentError) return;
    const body: SetRetentionPolicyRequest =
      scope === 'department' && department
        ? { scope, departmentId: department.id, days: dayCount }
        : { scope: 'org', days: dayCount };
    const name = scope === 'department' && department ? department.name : t('adminCompliance.scopes.wholeOrg');
    save.mutate(body, {
      onSuccess: (policy) => {
        setSaved(t('adminCompliance.policies.saved', { name, count: policy.days }));
        setDays('');
        setDepartment(null);
        setTouched(false);
      },
    });
  };

  return (
    <form className="form cp-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 className="card__subtitle" id={`${id}-title`}>
        {t('adminCompliance.policies.setTitle')}
      </h3>
      {saved ? <Alert tone="success">{saved}</Alert> : null}
      <FormError error={save.error ? describe(save.error) : null} />
      <fieldset className="fieldset wp-choice wp-choice--inline">
        <legend className="field__label">{t('adminCompliance.policies.appliesTo')}</legend>
        {SCOPES.map((option) => (
          <label key={option} className="checkbox">
            <input
              type="radio"
              name={`${id}-scope`}
              value={option}
              checked={scope === option}
              onChange={() => {
                edit();
                setScope(option);
              }}
            />
            <span>{t(`adminCompliance.policies.scopes.${option}`)}</span>
          </label>
        ))}
      </fieldset>
      {scope === 'department' ? (
        <DepartmentChooser
          label={t('adminCompliance.policies.department')}
          value={department}
          error={touched ? departmentError : null}
          onChange={(next) => {
            edit();
            setDepartment(next);
          }}
        />
      ) : null}
      <TextField
        label={t('adminCompliance.policies.days')}
        type="number"
        inputMode="numeric"
        min={MIN_POLICY_DAYS}
        max={MAX_POLICY_DAYS}
        step={1}
        help={t('adminCompliance.policies.daysHelp')}
        value={days}
        error={touched ? daysError : null}
        onChange={(event) => {
          edit();
          setDays(event.target.value);
        }}
      />
      <div className="form__actions">
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {t('adminCompliance.policies.set')}
        </Button>
      </div>
    </form>
  );
}
