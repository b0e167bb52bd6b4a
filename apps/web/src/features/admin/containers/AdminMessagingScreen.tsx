import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type MessagingSettings,
  messagingSettingsSchema,
  type MessagingSettingsPatch,
  type ReceiptsPolicy,
  type WatermarkField,
  watermarkFieldSchema,
} from '@miyu/protocol';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useApi } from '../../../lib/services';
import { Alert } from '../../../ui/Alert';
import { Button } from '../../../ui/Button';
import { SelectField, TextField } from '../../../ui/Field';
import { Spinner } from '../../../ui/Spinner';
import { messagingSettingsKey, useMessagingSettings } from '../../chat';

/** Admin → Messaging: the recall window, previews in notifications, and the chat watermark. */
export function AdminMessagingScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const api = useApi();
  const queryClient = useQueryClient();
  const settings = useMessagingSettings();
  const save = useMutation({
    mutationFn: (patch: MessagingSettingsPatch) =>
      api.put('/api/admin/settings/messaging', messagingSettingsSchema, { body: patch }),
    onSuccess: (data) => queryClient.setQueryData(messagingSettingsKey, data),
  });
  const [draft, setDraft] = useState<MessagingSettings | null>(null);
  const [minutesText, setMinutesText] = useState('');
  useEffect(() => {
    if (settings.data) {
      setDraft(settings.data);
      setMinutesText(String(settings.data.recallWindowMinutes));
    }
  }, [settings.data]);

  if (settings.isPending) return <Spinner label={t('common.loading')} />;
  if (settings.error || !draft) return <Alert tone="error">{describe(settings.error)}</Alert>;

  const minutes = Number(minutesText);
  const minutesValid = /^\d+$/.test(minutesText) && minutes <= 30 * 24 * 60;
  const fieldsValid = !draft.watermarkEnabled || draft.watermarkFields.length > 0;
  const toggleField = (field: WatermarkField) =>
    setDraft({
      ...draft,
      watermarkFields: draft.watermarkFields.includes(field)
        ? draft.watermarkFields.filter((f) => f !== field)
        : [...draft.watermarkFields, field],
    });

  return (
    <div className="page">
      <header className="page__header">
        <h1 className="page__title">{t('admin.messaging.title')}</h1>
        <p className="page__description">{t('admin.messaging.description')}</p>
      </header>
      <form
        className="card form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!minutesValid || !fieldsValid) return;
          save.mutate({
            recallWindowMinutes: minutes,
            notificationPreviews: draft.notificationPreviews,
            receiptsPolicy: draft.receiptsPolicy,
            watermarkEnabled: draft.watermarkEnabled,
            // The server needs at least one field; an off watermark keeps the last choice.
            ...(draft.watermarkFields.length > 0 ? { watermarkFields: draft.watermarkFields } : {}),
          });
        }}
      >
        {save.error ? <Alert tone="error">{describe(save.error)}</Alert> : null}
        {save.isSuccess ? <Alert tone="success">{t('common.saved')}</Alert> : null}
        <TextField
          label={t('admin.messaging.recallWindow')}
          help={t('admin.messaging.recallWindowHelp')}
          inputMode="numeric"
          value={minutesText}
          error={minutesValid ? null : t('admin.messaging.recallWindowInvalid')}
          onChange={(event) => setMinutesText(event.target.value.trim())}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.notificationPreviews}
            onChange={(event) => setDraft({ ...draft, notificationPreviews: event.target.checked })}
          />
          <span>{t('admin.messaging.previews')}</span>
        </label>
        <SelectField
          label={t('admin.messaging.receipts')}
          help={t('admin.messaging.receiptsHelp')}
          value={draft.receiptsPolicy}
          onChange={(event) => setDraft({ ...draft, receiptsPolicy: event.target.value as ReceiptsPolicy })}
        >
          <option value="enforced">{t('admin.messaging.receiptsEnforced')}</option>
          <option value="optional">{t('admin.messaging.receiptsOptional')}</option>
        </SelectField>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.watermarkEnabled}
            onChange={(event) => setDraft({ ...draft, watermarkEnabled: event.target.checked })}
          />
          <span>{t('admin.messaging.watermark')}</span>
        </label>
        <fieldset className="fieldset" disabled={!draft.watermarkEnabled}>
          <legend>{t('admin.messaging.watermarkFields')}</legend>
          {watermarkFieldSchema.options.map((field) => (
            <label key={field} className="checkbox">
              <input
                type="checkbox"
                checked={draft.watermarkFields.includes(field)}
                onChange={() => toggleField(field)}
              />
              <span>{t(`admin.messaging.fields.${field}`)}</span>
            </label>
          ))}
          {fieldsValid ? null : (
            <p className="field__error" role="alert">
              {t('admin.messaging.fieldsRequired')}
            </p>
          )}
        </fieldset>
        <div className="form__actions">
          <Button type="submit" variant="primary" disabled={save.isPending || !minutesValid || !fieldsValid}>
            {save.isPending ? t('common.saving') : t('common.save')}
          </Button>
        </div>
      </form>
    </div>
  );
}
