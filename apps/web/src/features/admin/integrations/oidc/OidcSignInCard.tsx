import { type OidcConfig, type OidcMatchBy, oidcConfigUpdateSchema } from '@miyu/protocol';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { SelectField, TextField } from '../../../../ui/Field';
import { Spinner } from '../../../../ui/Spinner';
import { useOidcConfigQuery, useSaveOidcConfigMutation } from './oidc.queries';

interface Draft {
  enabled: boolean;
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  matchBy: OidcMatchBy;
  employeeNoClaim: string;
  nameClaim: string;
  jitProvisioning: boolean;
  buttonLabel: string;
  passwordSignInDisabled: boolean;
}

function draftOf(c: OidcConfig): Draft {
  return {
    enabled: c.updatedAt === null ? true : c.enabled,
    issuerUrl: c.issuerUrl,
    clientId: c.clientId,
    clientSecret: '',
    scopes: c.scopes.join(' '),
    matchBy: c.matchBy,
    employeeNoClaim: c.employeeNoClaim,
    nameClaim: c.nameClaim,
    jitProvisioning: c.jitProvisioning,
    buttonLabel: c.buttonLabel,
    passwordSignInDisabled: c.passwordSignInDisabled,
  };
}

type TextKey = 'issuerUrl' | 'clientId' | 'clientSecret' | 'scopes' | 'employeeNoClaim' | 'nameClaim' | 'buttonLabel';
type FlagKey = 'enabled' | 'jitProvisioning' | 'passwordSignInDisabled';

/** Admin → Integrations → OpenID Connect sign-in (docs/integrations.md). */
export function OidcSignInCard() {
  const { t } = useTranslation();
  const query = useOidcConfigQuery();
  if (query.isPending) return <Spinner label={t('common.loading')} />;
  if (!query.data) return null;
  return <OidcSignInForm config={query.data} />;
}

function OidcSignInForm({ config }: { config: OidcConfig }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const save = useSaveOidcConfigMutation();
  const [draft, setDraft] = useState<Draft>(() => draftOf(config));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const body = {
      enabled: draft.enabled,
      issuerUrl: draft.issuerUrl.trim(),
      clientId: draft.clientId.trim(),
      ...(draft.clientSecret ? { clientSecret: draft.clientSecret } : {}),
      scopes: draft.scopes.split(/\s+/).filter(Boolean),
      matchBy: draft.matchBy,
      employeeNoClaim: draft.employeeNoClaim.trim(),
      nameClaim: draft.nameClaim.trim(),
      jitProvisioning: draft.jitProvisioning,
      buttonLabel: draft.buttonLabel.trim(),
      passwordSignInDisabled: draft.enabled && draft.passwordSignInDisabled,
    };
    const parsed = oidcConfigUpdateSchema.safeParse(body);
    if (!parsed.success) {
      setProblems(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), t('adminOidc.invalid')])));
      return;
    }
    if (body.enabled && !config.clientSecretSet && !draft.clientSecret) {
      setProblems({ clientSecret: t('adminOidc.secretRequired') });
      return;
    }
    setProblems({});
    save.mutate(body, {
      onSuccess: (c) => {
        setDraft(draftOf(c));
        setSaved(true);
      },
    });
  };

  const text = (key: TextKey, label: string, extra: { help?: string; type?: string } = {}) => (
    <TextField
      label={label}
      help={extra.help}
      type={extra.type}
      autoComplete={extra.type === 'password' ? 'new-password' : undefined}
      value={draft[key]}
      error={problems[key] ?? null}
      onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
    />
  );

  const flag = (key: FlagKey, label: string, disabled = false) => (
    <label className="checkbox">
      <input
        type="checkbox"
        checked={draft[key]}
        disabled={disabled}
        onChange={(event) => setDraft({ ...draft, [key]: event.target.checked })}
      />
      <span>{label}</span>
    </label>
  );

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('adminOidc.title')}
      </h2>
      <p className="page__description">{t('adminOidc.description', { redirectUri: config.redirectUri })}</p>
      {saved ? <Alert tone="success">{t('adminOidc.saved')}</Alert> : null}
      {save.error ? <Alert tone="error">{describe(save.error)}</Alert> : null}
      <form className="form" onSubmit={submit} noValidate>
        {flag('enabled', t('adminOidc.enabled'))}
        {text('issuerUrl', t('adminOidc.issuerUrl'), { help: 'https://sso.example.com/realms/corp' })}
        {text('clientId', t('adminOidc.clientId'))}
        {text('clientSecret', t('adminOidc.clientSecret'), {
          type: 'password',
          help: config.clientSecretSet ? t('adminOidc.secretSet') : undefined,
        })}
        {text('scopes', t('adminOidc.scopes'), { help: t('adminOidc.scopesHelp') })}
        <SelectField
          label={t('adminOidc.matchBy')}
          value={draft.matchBy}
          onChange={(event) => setDraft({ ...draft, matchBy: event.target.value as OidcMatchBy })}
        >
          <option value="email">{t('adminOidc.matchByEmail')}</option>
          <option value="employeeNo">{t('adminOidc.matchByEmployeeNo')}</option>
        </SelectField>
        {text('employeeNoClaim', t('adminOidc.employeeNoClaim'))}
        {text('nameClaim', t('adminOidc.nameClaim'))}
        {flag('jitProvisioning', t('adminOidc.jitProvisioning'))}
        {text('buttonLabel', t('adminOidc.buttonLabel'))}
        {flag('passwordSignInDisabled', t('adminOidc.passwordSignInDisabled'), !draft.enabled)}
        <p className="page__description">{t('adminOidc.breakGlass')}</p>
        <div className="form__actions">
          <Button type="submit" variant="primary" disabled={save.isPending}>
            {t('adminOidc.save')}
          </Button>
        </div>
      </form>
    </section>
  );
}
