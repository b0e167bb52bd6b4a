import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CreateRetentionScopeRequest, RetentionScopeKind } from '@miyu/protocol';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { TextField } from '../../../../ui/Field';
import { FormError } from '../../../../ui/FormDialog';
import { PersonPicker } from '../../audit/components/PersonPicker';
import { useAddRetentionScopeMutation } from '../api/compliance.queries';
import { localInputToIso, toLocalInputValue } from '../utils/dateTime';
import { type ChosenDepartment, DepartmentChooser } from './DepartmentChooser';

export const MAX_SCOPE_NOTE = 500;
const KINDS: readonly RetentionScopeKind[] = ['org', 'department', 'user'];

type Problems = Partial<Record<'target' | 'startsAt' | 'note', string>>;

export interface ScopeFormProps {
  /** Without an active key the server refuses new scopes (COMPLIANCE_KEY_REQUIRED); the form says so first. */
  hasActiveKey: boolean;
}

/** Adds retention for the whole organisation, a department (and its sub-departments) or a person (legal hold). */
export function ScopeForm({ hasActiveKey }: ScopeFormProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const add = useAddRetentionScopeMutation();
  const [kind, setKind] = useState<RetentionScopeKind>('org');
  const [department, setDepartment] = useState<ChosenDepartment | null>(null);
  const [person, setPerson] = useState<{ id: string; name: string } | null>(null);
  const [startNow, setStartNow] = useState(true);
  const [startsAt, setStartsAt] = useState('');
  const [note, setNote] = useState('');
  const [touched, setTouched] = useState(false);
  const [added, setAdded] = useState<string | null>(null);

  const target = kind === 'department' ? department : kind === 'user' ? person : null;
  const startsAtIso = startNow ? null : localInputToIso(startsAt);
  const problems: Problems = {};
  if (kind !== 'org' && !target)
    problems.target = t(
      kind === 'user' ? 'adminCompliance.scopes.personRequired' : 'adminCompliance.department.required',
    );
  if (!startNow && !startsAtIso) problems.startsAt = t('adminCompliance.scopes.startsAtInvalid');
  if (note.trim().length > MAX_SCOPE_NOTE) problems.note = t('adminCompliance.tooLong', { max: MAX_SCOPE_NOTE });
  const shown: Problems = touched ? problems : {};

  const edit = () => {
    setAdded(null);
    add.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    const body: CreateRetentionScopeRequest = { kind };
    if (target) body.targetId = target.id;
    if (startsAtIso) body.startsAt = startsAtIso;
    if (note.trim()) body.note = note.trim();
    const name = target?.name ?? t('adminCompliance.scopes.wholeOrg');
    add.mutate(body, {
      onSuccess: () => {
        setAdded(
          kind === 'user'
            ? t('adminCompliance.scopes.holdAdded', { name })
            : t('adminCompliance.scopes.added', { name }),
        );
        setDepartment(null);
        setPerson(null);
        setStartNow(true);
        setNote('');
        setTouched(false);
      },
    });
  };

  return (
    <form className="form cp-form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h3 className="card__subtitle" id={`${id}-title`}>
        {t('adminCompliance.scopes.addTitle')}
      </h3>
      {hasActiveKey ? null : <Alert tone="info">{t('adminCompliance.scopes.keyNeeded')}</Alert>}
      {added ? <Alert tone="success">{added}</Alert> : null}
      <FormError error={add.error ? describe(add.error) : null} />
      <fieldset className="fieldset wp-choice">
        <legend className="field__label">{t('adminCompliance.scopes.kind')}</legend>
        {KINDS.map((option) => (
          <label key={option} className="wp-choice__option">
            <input
              type="radio"
              name={`${id}-kind`}
              value={option}
              checked={kind === option}
              onChange={() => {
                edit();
                setKind(option);
              }}
            />
            <span>
              <span className="wp-choice__name">{t(`adminCompliance.scopes.kinds.${option}`)}</span>
              <span className="wp-choice__help">{t(`adminCompliance.scopes.kindHelp.${option}`)}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {kind === 'department' ? (
        <DepartmentChooser
          label={t('adminCompliance.scopes.department')}
          value={department}
          error={shown.target}
          onChange={(next) => {
            edit();
            setDepartment(next);
          }}
        />
      ) : null}
      {kind === 'user' ? (
        <div className={shown.target ? 'field--invalid' : undefined}>
          <PersonPicker
            label={t('adminCompliance.scopes.person')}
            removeLabel={(name) => t('adminCompliance.scopes.removePerson', { name })}
            help={t('adminCompliance.scopes.personHelp')}
            value={person}
            source="users"
            onChange={(next) => {
              edit();
              setPerson(next ? { id: next.id, name: next.name } : null);
            }}
          />
          {shown.target ? <p className="field__error">{shown.target}</p> : null}
        </div>
      ) : null}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={startNow}
          onChange={(event) => {
            edit();
            setStartNow(event.target.checked);
            if (!event.target.checked && !startsAt) setStartsAt(toLocalInputValue(new Date()));
          }}
        />
        <span>{t('adminCompliance.scopes.startNow')}</span>
      </label>
      {startNow ? null : (
        <TextField
          label={t('adminCompliance.scopes.startsAt')}
          type="datetime-local"
          help={t('adminCompliance.scopes.startsAtHelp')}
          value={startsAt}
          error={shown.startsAt}
          onChange={(event) => {
            edit();
            setStartsAt(event.target.value);
          }}
        />
      )}
      <TextField
        label={t('adminCompliance.scopes.note')}
        optional
        help={t('adminCompliance.scopes.noteHelp')}
        value={note}
        error={shown.note}
        onChange={(event) => {
          edit();
          setNote(event.target.value);
        }}
      />
      <div className="form__actions">
        <Button type="submit" variant="primary" disabled={add.isPending}>
          {kind === 'user' ? t('adminCompliance.scopes.addHold') : t('adminCompliance.scopes.add')}
        </Button>
      </div>
    </form>
  );
}
