import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../../ui/Alert';
import { LanguageSelect } from '../../../ui/LanguageSelect';
import { useErrorMessage } from '../../../lib/useErrorMessage';
import { useSignedInAuth } from '../../auth';
import { useUpdateProfileMutation } from '../api/account.queries';
import { ProfileForm } from '../components/ProfileForm';
import { ReadReceiptsPreference } from '../components/ReadReceiptsPreference';
import { useChangeLocale } from '../hooks/useChangeLocale';

export function ProfileScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { user } = useSignedInAuth();
  const mutation = useUpdateProfileMutation();
  const language = useChangeLocale();
  const [saved, setSaved] = useState(false);

  return (
    <div className="page">
      <header className="page__header">
        <h1 className="page__title">{t('profile.title')}</h1>
        <p className="page__description">{t('profile.description')}</p>
      </header>
      <section className="card">
        {saved ? <Alert tone="success">{t('profile.saved')}</Alert> : null}
        {mutation.error ? <Alert tone="error">{describe(mutation.error)}</Alert> : null}
        {language.error ? <Alert tone="error">{describe(language.error)}</Alert> : null}
        <ProfileForm
          key={user.id}
          user={user}
          busy={mutation.isPending}
          onSave={(displayName) => {
            setSaved(false);
            mutation.mutate({ displayName }, { onSuccess: () => setSaved(true) });
          }}
          languageSelect={
            <div className="field">
              <LanguageSelect value={language.locale} onChange={language.change} disabled={language.saving} />
              <p className="field__help">{t('profile.languageHelp')}</p>
            </div>
          }
        />
      </section>
      <ReadReceiptsPreference />
    </div>
  );
}
