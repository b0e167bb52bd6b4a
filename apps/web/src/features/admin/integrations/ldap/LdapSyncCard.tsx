import {
  LDAP_DEFAULT_ATTRIBUTES,
  LDAP_DEFAULT_USER_FILTER,
  LDAP_SYNC_INTERVALS,
  type LdapAttributeMap,
  type LdapConfigDto,
  type LdapFlavour,
  type LdapSyncResult,
  putLdapConfigRequestSchema,
} from '@miyu/protocol';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { SelectField, TextField } from '../../../../ui/Field';
import { Spinner } from '../../../../ui/Spinner';
import {
  useLdapConfigQuery,
  usePreviewLdapSyncMutation,
  useRunLdapSyncMutation,
  useSaveLdapConfigMutation,
} from './ldap.queries';

const MAPPED = ['login', 'displayName', 'mail', 'mobile', 'title', 'employeeNumber', 'manager'] as const;

interface Draft {
  enabled: boolean;
  flavour: LdapFlavour;
  url: string;
  bindDn: string;
  bindPassword: string;
  baseDns: string;
  userFilter: string;
  departmentSource: 'ou' | 'attribute' | 'none';
  attributes: Record<(typeof MAPPED)[number], string>;
  intervalMinutes: number;
}

function draftOf(c: LdapConfigDto): Draft {
  return {
    enabled: c.configured ? c.enabled : true,
    flavour: c.flavour,
    url: c.url,
    bindDn: c.bindDn,
    bindPassword: '',
    baseDns: c.baseDns.join('\n'),
    userFilter: c.userFilter,
    departmentSource: c.departmentSource,
    attributes: Object.fromEntries(MAPPED.map((k) => [k, c.attributes[k] ?? ''])) as Draft['attributes'],
    intervalMinutes: c.intervalMinutes,
  };
}

/** Admin → Integrations → LDAP (docs/integrations.md): the connection, the mapping, preview and sync. */
export function LdapSyncCard() {
  const { t } = useTranslation();
  const query = useLdapConfigQuery();
  if (query.isPending) return <Spinner label={t('common.loading')} />;
  if (!query.data) return null;
  return <LdapSyncForm config={query.data} />;
}

function LdapSyncForm({ config }: { config: LdapConfigDto }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const save = useSaveLdapConfigMutation();
  const preview = usePreviewLdapSyncMutation();
  const sync = useRunLdapSyncMutation();
  const [draft, setDraft] = useState<Draft>(() => draftOf(config));
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const result = sync.data ?? preview.data ?? null;
  const busy = save.isPending || preview.isPending || sync.isPending;

  const setFlavour = (flavour: LdapFlavour) => {
    const defaults: LdapAttributeMap = LDAP_DEFAULT_ATTRIBUTES[flavour];
    setDraft({
      ...draft,
      flavour,
      userFilter: LDAP_DEFAULT_USER_FILTER[flavour],
      attributes: Object.fromEntries(MAPPED.map((k) => [k, defaults[k] ?? ''])) as Draft['attributes'],
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const body = {
      enabled: draft.enabled,
      flavour: draft.flavour,
      url: draft.url.trim(),
      tlsVerify: true,
      bindDn: draft.bindDn.trim(),
      ...(draft.bindPassword ? { bindPassword: draft.bindPassword } : {}),
      baseDns: draft.baseDns
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
      userFilter: draft.userFilter.trim() || undefined,
      departmentSource: draft.departmentSource,
      ouFilter: config.ouFilter,
      attributes: Object.fromEntries(MAPPED.map((k) => [k, draft.attributes[k].trim() || null])),
      intervalMinutes: draft.intervalMinutes,
    };
    const parsed = putLdapConfigRequestSchema.safeParse(body);
    if (!parsed.success) {
      setProblems(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), t('adminLdap.invalid')])));
      return;
    }
    if (!config.passwordSet && !draft.bindPassword) {
      setProblems({ bindPassword: t('adminLdap.passwordRequired') });
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

  const field = (key: 'url' | 'bindDn' | 'userFilter', label: string, help?: string) => (
    <TextField
      label={label}
      help={help}
      value={draft[key]}
      error={problems[key] ?? null}
      onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
    />
  );

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('adminLdap.title')}
      </h2>
      <p className="page__description">{t('adminLdap.description')}</p>
      {saved ? <Alert tone="success">{t('adminLdap.saved')}</Alert> : null}
      {save.error ? <Alert tone="error">{describe(save.error)}</Alert> : null}
      <form className="form" onSubmit={submit} noValidate>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(event) => setDraft({ ...draft, enabled: event.target.checked })}
          />
          <span>{t('adminLdap.enabled')}</span>
        </label>
        <SelectField
          label={t('adminLdap.flavour')}
          value={draft.flavour}
          onChange={(event) => setFlavour(event.target.value as LdapFlavour)}
        >
          <option value="openldap">OpenLDAP</option>
          <option value="active_directory">Active Directory</option>
        </SelectField>
        {field('url', t('adminLdap.url'), 'ldap://host:389 · ldaps://host:636')}
        {field('bindDn', t('adminLdap.bindDn'))}
        <TextField
          label={t('adminLdap.bindPassword')}
          type="password"
          autoComplete="new-password"
          help={config.passwordSet ? t('adminLdap.passwordSet') : undefined}
          value={draft.bindPassword}
          error={problems.bindPassword ?? null}
          onChange={(event) => setDraft({ ...draft, bindPassword: event.target.value })}
        />
        <label className="field">
          <span className="field__label">{t('adminLdap.baseDns')}</span>
          <textarea
            className="input"
            rows={2}
            value={draft.baseDns}
            aria-invalid={problems.baseDns ? true : undefined}
            onChange={(event) => setDraft({ ...draft, baseDns: event.target.value })}
          />
          {problems.baseDns ? <span className="field__error">{problems.baseDns}</span> : null}
        </label>
        {field('userFilter', t('adminLdap.userFilter'))}
        <SelectField
          label={t('adminLdap.departmentSource')}
          value={draft.departmentSource}
          onChange={(event) =>
            setDraft({ ...draft, departmentSource: event.target.value as Draft['departmentSource'] })
          }
        >
          <option value="ou">{t('adminLdap.departmentFromOu')}</option>
          <option value="attribute">{t('adminLdap.departmentFromAttribute')}</option>
          <option value="none">{t('adminLdap.departmentNone')}</option>
        </SelectField>
        <fieldset className="fieldset">
          <legend>{t('adminLdap.mapping')}</legend>
          {MAPPED.map((k) => (
            <TextField
              key={k}
              label={k}
              value={draft.attributes[k]}
              error={problems.attributes && draft.attributes[k] ? problems.attributes : null}
              onChange={(event) => setDraft({ ...draft, attributes: { ...draft.attributes, [k]: event.target.value } })}
            />
          ))}
        </fieldset>
        <SelectField
          label={t('adminLdap.interval')}
          value={String(draft.intervalMinutes)}
          onChange={(event) => setDraft({ ...draft, intervalMinutes: Number(event.target.value) })}
        >
          {LDAP_SYNC_INTERVALS.map((n) => (
            <option key={n} value={n}>
              {n === 0 ? t('adminLdap.intervalOff') : t('adminLdap.intervalMinutes', { count: n })}
            </option>
          ))}
        </SelectField>
        <div className="form__actions">
          <Button type="submit" variant="primary" disabled={busy}>
            {save.isPending ? t('common.saving') : t('common.save')}
          </Button>
          <Button type="button" disabled={busy || !config.configured} onClick={() => preview.mutate()}>
            {t('adminLdap.preview')}
          </Button>
          <Button type="button" variant="danger" disabled={busy || !config.configured} onClick={() => sync.mutate()}>
            {t('adminLdap.syncNow')}
          </Button>
        </div>
      </form>
      {config.lastSync ? (
        <p className="page__description">
          {t(config.lastSync.ok ? 'adminLdap.lastSyncOk' : 'adminLdap.lastSyncFailed', {
            at: new Date(config.lastSync.at).toLocaleString(),
            error: config.lastSync.error ?? '',
          })}
        </p>
      ) : null}
      {preview.error ? <Alert tone="error">{describe(preview.error)}</Alert> : null}
      {sync.error ? <Alert tone="error">{describe(sync.error)}</Alert> : null}
      {result ? <LdapResult result={result} /> : null}
    </section>
  );
}

function LdapResult({ result }: { result: LdapSyncResult }) {
  const { t } = useTranslation();
  const c = result.counts;
  const people = (key: 'create' | 'update' | 'disable') =>
    result.diff[key].length > 0 ? (
      <>
        <h3>{t(`adminLdap.diff.${key}`, { count: result.diff[key].length })}</h3>
        <ul>
          {result.diff[key].map((p) => (
            <li key={`${p.login}:${p.dn}`}>
              <strong>{p.displayName}</strong> ({p.login})
              {key === 'update'
                ? `: ${p.changes.map((ch) => `${ch.field} ${ch.before ?? '—'} → ${ch.after ?? '—'}`).join('; ')}`
                : null}
            </li>
          ))}
        </ul>
      </>
    ) : null;
  return (
    <div aria-live="polite">
      <Alert tone={result.errors.length > 0 ? 'warning' : 'success'}>
        {t(result.dryRun ? 'adminLdap.previewSummary' : 'adminLdap.syncSummary', {
          created: c.created,
          updated: c.updated,
          disabled: c.disabled,
          departments: c.departmentsCreated,
          skipped: c.skipped,
        })}
      </Alert>
      {result.diff.departments.length > 0 ? (
        <>
          <h3>{t('adminLdap.diff.departments', { count: result.diff.departments.length })}</h3>
          <ul>
            {result.diff.departments.map((d) => (
              <li key={d.dn}>{d.path}</li>
            ))}
          </ul>
        </>
      ) : null}
      {people('create')}
      {people('update')}
      {people('disable')}
      {result.errors.length > 0 ? (
        <>
          <h3>{t('adminLdap.diff.errors', { count: result.errors.length })}</h3>
          <ul>
            {result.errors.map((e, i) => (
              <li key={`${e.dn}:${i}`}>
                <code>{e.dn}</code> — {e.reason}: {e.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
