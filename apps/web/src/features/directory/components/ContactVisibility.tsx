import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { FormError } from '../../../ui/FormDialog';
import { useDirectorySettingsQuery, useUpdateDirectorySettingsMutation } from '../api/directory.queries';

/** The org-wide switch: do employees see each other's email and phone on person cards (admins always do)? */
export function ContactVisibility() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const settings = useDirectorySettingsQuery();
  const update = useUpdateDirectorySettingsMutation();
  const error = settings.error ?? update.error;
  return (
    <div className="contact-visibility">
      <label className="checkbox">
        <input
          type="checkbox"
          checked={settings.data?.showContactInfo ?? false}
          disabled={!settings.data || update.isPending}
          onChange={(event) => update.mutate({ showContactInfo: event.target.checked })}
        />
        <span>{t('adminOrg.showContactInfo')}</span>
      </label>
      <FormError error={error ? describe(error) : null} />
    </div>
  );
}
