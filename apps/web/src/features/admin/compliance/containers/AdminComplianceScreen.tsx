import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Spinner } from '../../../../ui/Spinner';
import { useComplianceOverviewQuery } from '../api/compliance.queries';
import { KeysCard } from '../components/KeysCard';
import { OrganisationCard } from '../components/OrganisationCard';
import { PoliciesCard } from '../components/PoliciesCard';
import { ScopesCard } from '../components/ScopesCard';

/**
 * Admin → Compliance (ARCHITECTURE §6): the organisation name shown in the retention banner, the compliance keys
 * sessions are escrowed to, who is retained (including legal holds), and the deletion policies.
 */
export function AdminComplianceScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const overview = useComplianceOverviewQuery();
  const data = overview.data;

  return (
    <div className="page page--wide">
      <header className="page__header">
        <h1 className="page__title">{t('admin.compliance.title')}</h1>
        <p className="page__description">{t('admin.compliance.description')}</p>
      </header>
      {overview.error ? <Alert tone="error">{describe(overview.error)}</Alert> : null}
      {overview.isPending ? <Spinner label={t('common.loading')} /> : null}
      {data ? (
        <>
          <OrganisationCard organisationName={data.settings.organisationName} />
          <KeysCard keys={data.keys} />
          <ScopesCard scopes={data.scopes} hasActiveKey={data.keys.some((key) => key.active)} />
          <PoliciesCard policies={data.policies} lastRun={data.lastRun} />
        </>
      ) : null}
    </div>
  );
}
