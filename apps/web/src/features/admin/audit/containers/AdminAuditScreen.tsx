import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Pager } from '../../../../ui/Pager';
import { Spinner } from '../../../../ui/Spinner';
import { useSignedInAuth } from '../../../auth';
import {
  useAuditCheckpointQuery,
  useAuditEntriesQuery,
  useAuditEntryQuery,
  useDepartmentNameQuery,
} from '../api/audit.queries';
import { AuditFilters } from '../components/AuditFilters';
import { AuditTable } from '../components/AuditTable';
import { CheckpointCard } from '../components/CheckpointCard';
import { EntryDetail } from '../components/EntryDetail';
import { ExportPanel } from '../components/ExportPanel';
import { useAuditExport } from '../hooks/useAuditExport';
import { type AuditView, EMPTY_VIEW, readAuditView, toAuditFilter, writeAuditView } from '../utils/auditUrl';

export const AUDIT_PAGE_SIZE = 50;

/**
 * Admin → Audit log, for admins and auditors. Everything the page shows (filters, sort, page, the open entry) is
 * kept in the URL query, so a link shows someone else the same entries.
 */
export function AdminAuditScreen() {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const { user } = useSignedInAuth();
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => readAuditView(params), [params]);
  const filter = useMemo(() => toAuditFilter(view), [view]);
  const offset = (view.page - 1) * AUDIT_PAGE_SIZE;
  const list = useAuditEntriesQuery(filter, view.sort, AUDIT_PAGE_SIZE, offset);
  const checkpoint = useAuditCheckpointQuery();
  const department = useDepartmentNameQuery(view.departmentId);
  const items = list.data?.items ?? [];
  const total = list.data?.total ?? 0;
  const shown = items.find((item) => item.entry.seq === view.entry) ?? null;
  const detail = useAuditEntryQuery(view.entry, shown);
  const exporter = useAuditExport();

  const show = (next: AuditView, replace = false) => setParams(writeAuditView(next), { replace });
  // A new filter or order starts again at the first page.
  const update = (change: Partial<AuditView>) => show({ ...view, page: 1, ...change });

  return (
    <div className="page page--wide">
      <header className="page__header">
        <h1 className="page__title">{t('admin.audit.title')}</h1>
        <p className="page__description">{t('admin.audit.description')}</p>
      </header>

      <AuditFilters
        view={view}
        departmentName={department.data ?? null}
        personSource={user.role === 'admin' ? 'users' : 'directory'}
        onChange={update}
        onReset={() => show(EMPTY_VIEW)}
      />

      <section className="card card--flush" aria-labelledby="audit-entries-title">
        <div className="audit-toolbar">
          <div>
            <h2 className="card__title" id="audit-entries-title">
              {t('adminAudit.table.title')}
            </h2>
            {list.data ? (
              <p className="card__text" aria-live="polite">
                {t('adminAudit.table.count', { count: total })}
              </p>
            ) : null}
          </div>
          <select
            className="input select input--sm audit-toolbar__select"
            aria-label={t('adminAudit.table.sort')}
            value={view.sort}
            onChange={(event) => update({ sort: event.target.value === 'oldest' ? 'oldest' : 'newest' })}
          >
            <option value="newest">{t('adminAudit.table.sortOptions.newest')}</option>
            <option value="oldest">{t('adminAudit.table.sortOptions.oldest')}</option>
          </select>
        </div>
        {list.error ? <Alert tone="error">{describe(list.error)}</Alert> : null}
        {list.isPending ? <Spinner label={t('common.loading')} /> : null}
        {list.data && items.length === 0 ? <p className="empty">{t('adminAudit.table.empty')}</p> : null}
        {items.length > 0 ? (
          <AuditTable
            items={items}
            caption={t('adminAudit.table.title')}
            onOpen={(item) => show({ ...view, entry: item.entry.seq })}
          />
        ) : null}
        {total > 0 ? (
          <Pager
            offset={offset}
            pageSize={AUDIT_PAGE_SIZE}
            shown={items.length}
            total={total}
            onOffsetChange={(next) => show({ ...view, page: Math.floor(next / AUDIT_PAGE_SIZE) + 1 })}
          />
        ) : null}
      </section>

      <div className="audit-columns">
        <ExportPanel
          state={exporter.state}
          matching={list.data ? total : null}
          onStart={(format) => exporter.start(filter, format)}
          onCancel={exporter.cancel}
        />
        <CheckpointCard checkpoint={checkpoint.data} loading={checkpoint.isPending} error={checkpoint.error} />
      </div>

      {view.entry !== null ? (
        <EntryDetail
          key={view.entry}
          seq={view.entry}
          item={detail.data ?? null}
          loading={detail.isPending}
          error={detail.error}
          onFilter={(change) => show({ ...view, page: 1, entry: null, ...change })}
          onClose={() => show({ ...view, entry: null })}
        />
      ) : null}
    </div>
  );
}
