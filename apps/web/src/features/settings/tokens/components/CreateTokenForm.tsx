import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiTokenScope, CreateApiTokenRequest } from '@miyu/protocol';
import { Button } from '../../../../ui/Button';
import { SelectField, TextField } from '../../../../ui/Field';
import { FormError } from '../../../../ui/FormDialog';

export const MAX_TOKEN_NAME = 100;
export const EXPIRY_DAYS = [7, 30, 90, 180, 365] as const;
const DEFAULT_EXPIRY = 30;

export interface CreateTokenFormProps {
  /** The scopes this person's role allows (at least one). */
  allowed: readonly ApiTokenScope[];
  busy: boolean;
  error: string | null;
  onCreate: (body: CreateApiTokenRequest) => void;
  /** The lifetimes offered (personal tokens up to 365 days, service tokens up to 730). */
  expiryDays?: readonly number[];
}

/** Name, scopes (only those the role allows) and lifetime of a new token. */
export function CreateTokenForm({ allowed, busy, error, onCreate, expiryDays = EXPIRY_DAYS }: CreateTokenFormProps) {
  const { t } = useTranslation();
  const id = useId();
  const [name, setName] = useState('');
  // Nothing is granted by default unless there is only one thing to grant.
  const [scopes, setScopes] = useState<ApiTokenScope[]>(allowed.length === 1 ? [...allowed] : []);
  const [days, setDays] = useState<number>(DEFAULT_EXPIRY);
  const [touched, setTouched] = useState(false);
  const trimmed = name.trim();
  const nameError =
    trimmed === ''
      ? t('apiTokens.create.nameRequired')
      : trimmed.length > MAX_TOKEN_NAME
        ? t('apiTokens.create.nameTooLong', { max: MAX_TOKEN_NAME })
        : null;
  const scopesError = scopes.length === 0 ? t('apiTokens.create.scopesRequired') : null;

  const toggle = (scope: ApiTokenScope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (nameError || scopesError) return;
    // Scopes go in the order the role lists them, whatever order they were ticked in.
    onCreate({ name: trimmed, scopes: allowed.filter((s) => scopes.includes(s)), expiresInDays: days });
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('apiTokens.create.title')}
      </h2>
      <FormError error={error} />
      <TextField
        label={t('apiTokens.create.name')}
        help={t('apiTokens.create.nameHelp')}
        value={name}
        error={touched ? nameError : null}
        onChange={(event) => setName(event.target.value)}
      />
      <fieldset className="fieldset" aria-describedby={touched && scopesError ? `${id}-scopes-error` : undefined}>
        <legend>{t('apiTokens.create.scopes')}</legend>
        {allowed.map((scope) => (
          <label key={scope} className="checkbox">
            <input
              type="checkbox"
              checked={scopes.includes(scope)}
              onChange={(event) => toggle(scope, event.target.checked)}
            />
            <span>
              <code className="mono">{scope}</code> — {t(`apiTokens.scopes.${scopeKey(scope)}`)}
            </span>
          </label>
        ))}
        {touched && scopesError ? (
          <p className="field__error" id={`${id}-scopes-error`}>
            {scopesError}
          </p>
        ) : null}
      </fieldset>
      <SelectField
        label={t('apiTokens.create.expiry')}
        value={String(days)}
        onChange={(event) => setDays(Number(event.target.value))}
      >
        {expiryDays.map((n) => (
          <option key={n} value={n}>
            {t('apiTokens.create.days', { count: n })}
          </option>
        ))}
      </SelectField>
      <div className="form__actions">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? t('apiTokens.create.creating') : t('apiTokens.create.submit')}
        </Button>
      </div>
    </form>
  );
}

/** Catalogue keys cannot hold ":": `compliance:export` → `complianceExport`, `scim:provision` → `scimProvision`. */
export function scopeKey(scope: ApiTokenScope): string {
  return scope.replace(/:(\w)/, (_, c: string) => c.toUpperCase());
}
