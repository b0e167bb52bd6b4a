import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { TextField } from '../../../../ui/Field';
import { useSaveComplianceSettingsMutation } from '../api/compliance.queries';

export const MAX_ORGANISATION_NAME = 100;

/** The organisation's name, as the banner of every retained conversation shows it. */
export function OrganisationCard({ organisationName }: { organisationName: string }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const save = useSaveComplianceSettingsMutation();
  const [name, setName] = useState(organisationName);
  const [touched, setTouched] = useState(false);
  const [saved, setSaved] = useState(false);
  const trimmed = name.trim();
  const problem =
    trimmed === ''
      ? t('adminCompliance.organisation.required')
      : trimmed.length > MAX_ORGANISATION_NAME
        ? t('adminCompliance.tooLong', { max: MAX_ORGANISATION_NAME })
        : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    setSaved(false);
    if (problem) return;
    save.mutate(trimmed, {
      onSuccess: (settings) => {
        setName(settings.organisationName);
        setSaved(true);
      },
    });
  };

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 className="card__title" id={`${id}-title`}>
        {t('adminCompliance.organisation.title')}
      </h2>
      {saved ? <Alert tone="success">{t('adminCompliance.organisation.saved')}</Alert> : null}
      {save.error ? <Alert tone="error">{describe(save.error)}</Alert> : null}
      <form className="form cp-inline-form" onSubmit={submit} noValidate>
        <TextField
          label={t('adminCompliance.organisation.name')}
          help={t('adminCompliance.organisation.help', {
            banner: t('adminCompliance.organisation.bannerExample', { name: trimmed || '…' }),
          })}
          value={name}
          error={touched ? problem : null}
          onChange={(event) => {
            setName(event.target.value);
            setSaved(false);
          }}
        />
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {save.isPending ? t('common.saving') : t('common.save')}
        </Button>
      </form>
    </section>
  );
}
