import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { WordPolicyStatus } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Spinner } from '../../../../ui/Spinner';
import { useWordPolicyStatusQuery } from '../api/wordPolicy.queries';
import { HitLogTab } from '../components/HitLogTab';
import { ImportTab } from '../components/ImportTab';
import { RulesTab } from '../components/RulesTab';
import { SettingsTab } from '../components/SettingsTab';
import { panelId, TabList, tabId } from '../components/TabList';
import { TestTab } from '../components/TestTab';
import { WhitelistTab } from '../components/WhitelistTab';

export const WORD_POLICY_TABS = ['rules', 'import', 'whitelist', 'test', 'hits', 'settings'] as const;
export type WordPolicyTab = (typeof WORD_POLICY_TABS)[number];
const ID_PREFIX = 'word-policy';

/**
 * Admin → Sensitive words. Every save publishes a new signed policy version, which clients fetch and enforce
 * before they encrypt; the page says which version a change became. The open tab is kept in `?tab=`.
 */
export function AdminWordPolicyScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const [params, setParams] = useSearchParams();
  const tab = WORD_POLICY_TABS.find((name) => name === params.get('tab')) ?? 'rules';
  const status = useWordPolicyStatusQuery();
  const [published, setPublished] = useState<number | null>(null);

  const select = (next: WordPolicyTab) => {
    setPublished(null);
    setParams(next === 'rules' ? {} : { tab: next }, { replace: true });
  };

  let panel: ReactNode;
  if (tab === 'rules') panel = <RulesTab onPublished={setPublished} />;
  else if (tab === 'import') panel = <ImportTab />;
  else if (tab === 'whitelist') panel = <WhitelistTab onPublished={setPublished} />;
  else if (tab === 'test') panel = <TestTab />;
  else if (tab === 'hits') panel = <HitLogTab />;
  else if (status.data) panel = <SettingsTab options={status.data.options} onPublished={setPublished} />;
  else panel = status.isPending ? <Spinner label={t('common.loading')} /> : null;

  return (
    <div className="page page--wide">
      <header className="page__header">
        <h1 className="page__title">{t('admin.policy.title')}</h1>
        <p className="page__description">{t('admin.policy.description')}</p>
      </header>
      {status.error ? <Alert tone="error">{describe(status.error)}</Alert> : null}
      {status.data ? <StatusLine status={status.data} /> : null}
      {published !== null ? (
        <Alert tone="success">{t('adminWordPolicy.published', { version: published })}</Alert>
      ) : null}
      <TabList
        label={t('admin.policy.title')}
        tabs={WORD_POLICY_TABS}
        selected={tab}
        tabLabel={(name) => t(`adminWordPolicy.tabs.${name}`)}
        onSelect={select}
        idPrefix={ID_PREFIX}
      />
      <div
        className="wp-panel"
        role="tabpanel"
        id={panelId(ID_PREFIX, tab)}
        aria-labelledby={tabId(ID_PREFIX, tab)}
        tabIndex={0}
      >
        {panel}
      </div>
    </div>
  );
}

/** "Version 12 · published … · 1,234 rules · 5 allowed phrases", and the signing key's fingerprint. */
function StatusLine({ status }: { status: WordPolicyStatus }) {
  const { t, i18n } = useTranslation();
  return (
    <section className="wp-status" aria-label={t('adminWordPolicy.status.label')}>
      {status.version === 0 ? (
        <p>{t('adminWordPolicy.status.none')}</p>
      ) : (
        <p className="wp-status__line">
          <strong>{t('adminWordPolicy.status.version', { version: status.version })}</strong>
          {status.publishedAt ? (
            <span>
              {t('adminWordPolicy.status.publishedAt', { time: formatDateTime(status.publishedAt, i18n.language) })}
            </span>
          ) : null}
          <span>{t('adminWordPolicy.status.rules', { count: status.ruleCount })}</span>
          <span>{t('adminWordPolicy.status.phrases', { count: status.whitelistCount })}</span>
        </p>
      )}
      <p className="wp-status__key">
        <span>{t('adminWordPolicy.status.fingerprint')}</span>{' '}
        <code className="wp-fingerprint">{groupHex(status.keyFingerprint)}</code>
      </p>
      <p className="field__help">{t('adminWordPolicy.status.fingerprintHelp')}</p>
    </section>
  );
}

/** A 64-digit hex fingerprint in groups of four, easier to compare by eye. */
function groupHex(hex: string): string {
  return hex.replace(/(.{4})(?=.)/g, '$1 ');
}
