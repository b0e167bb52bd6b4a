import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditEntryDto } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { Modal } from '../../../../ui/Modal';
import { Spinner } from '../../../../ui/Spinner';
import { useVerifyInclusionMutation } from '../api/audit.queries';
import type { AuditView } from '../utils/auditUrl';
import { ContextView } from './ContextView';
import { actionLabel, actorLabel, entityTypeLabel, ResultBadge } from './labels';

const FIRST_PREV = '0'.repeat(64);

export interface EntryDetailProps {
  seq: number;
  item: AuditEntryDto | null;
  loading: boolean;
  error: unknown;
  onFilter: (change: Partial<AuditView>) => void;
  onClose: () => void;
}

/** Every field of one entry, its context (as a diff when it has before/after), and its place in the signed tree. */
export function EntryDetail({ seq, item, loading, error, onFilter, onClose }: EntryDetailProps) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  return (
    <Modal
      title={t('adminAudit.detail.title', { seq })}
      onClose={onClose}
      footer={<Button onClick={onClose}>{t('common.close')}</Button>}
    >
      <div className="audit-detail">
        {error ? <Alert tone="error">{describe(error)}</Alert> : null}
        {loading && !item ? <Spinner label={t('common.loading')} /> : null}
        {item ? <EntryFields item={item} onFilter={onFilter} /> : null}
      </div>
    </Modal>
  );
}

function EntryFields({ item, onFilter }: { item: AuditEntryDto; onFilter: EntryDetailProps['onFilter'] }) {
  const { t, i18n } = useTranslation();
  const { entry } = item;
  const none = <span className="audit-absent">—</span>;
  const mono = (value: string | null) => (value ? <code>{value}</code> : none);
  const facts: Array<[string, ReactNode]> = [
    [
      t('adminAudit.detail.time'),
      <>
        {formatDateTime(entry.time, i18n.language)} <span className="table__sub mono">{entry.time}</span>
      </>,
    ],
    [
      t('adminAudit.detail.action'),
      <>
        {actionLabel(t, entry.action)} <span className="table__sub mono">{entry.action}</span>
      </>,
    ],
    [t('adminAudit.detail.result'), <ResultBadge key="result" result={entry.result} />],
    [t('adminAudit.detail.reason'), mono(entry.result.reason)],
    [t('adminAudit.detail.actor'), actorLabel(t, entry.actor)],
    [t('adminAudit.detail.userId'), mono(entry.actor.userId)],
    [t('adminAudit.detail.deviceId'), mono(entry.actor.deviceId)],
    [t('adminAudit.detail.ip'), mono(entry.actor.ip)],
    [t('adminAudit.detail.userAgent'), entry.actor.userAgent ?? none],
    [t('adminAudit.detail.department'), mono(item.departmentId)],
    [t('adminAudit.detail.entityType'), entityTypeLabel(t, entry.entity.type)],
    [t('adminAudit.detail.entityId'), mono(entry.entity.id)],
    [t('adminAudit.detail.entityName'), entry.entity.name ?? none],
  ];
  const actorId = entry.actor.userId;
  const departmentId = item.departmentId;
  const entityId = entry.entity.id;
  return (
    <>
      <dl className="facts audit-facts">
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {actorId || departmentId || entityId ? (
        <div className="form__actions audit-detail__filters">
          {actorId ? (
            <Button size="sm" onClick={() => onFilter({ actorId, actorName: entry.actor.name })}>
              {t('adminAudit.detail.onlyActor')}
            </Button>
          ) : null}
          {departmentId ? (
            <Button size="sm" onClick={() => onFilter({ departmentId })}>
              {t('adminAudit.detail.onlyDepartment')}
            </Button>
          ) : null}
          {entityId ? (
            <Button
              size="sm"
              onClick={() => onFilter({ entityType: entry.entity.type, entityId, entityName: entry.entity.name })}
            >
              {t('adminAudit.detail.onlyEntity')}
            </Button>
          ) : null}
        </div>
      ) : null}

      <section className="audit-detail__section" aria-labelledby={`audit-context-${entry.seq}`}>
        <h3 className="card__subtitle" id={`audit-context-${entry.seq}`}>
          {t('adminAudit.detail.context')}
        </h3>
        <ContextView context={entry.context} />
      </section>

      <section className="audit-detail__section" aria-labelledby={`audit-integrity-${entry.seq}`}>
        <h3 className="card__subtitle" id={`audit-integrity-${entry.seq}`}>
          {t('adminAudit.detail.integrity')}
        </h3>
        <dl className="audit-kv">
          <div className="audit-kv__row">
            <dt>{t('adminAudit.detail.seq')}</dt>
            <dd>{entry.seq}</dd>
          </div>
          <div className="audit-kv__row">
            <dt>{t('adminAudit.detail.leafHash')}</dt>
            <dd>
              <code className="audit-hash">{item.leafHash}</code>
            </dd>
          </div>
          <div className="audit-kv__row">
            <dt>{t('adminAudit.detail.prev')}</dt>
            <dd>
              <code className="audit-hash">{entry.prev}</code>
              {entry.prev === FIRST_PREV ? (
                <span className="table__sub">{t('adminAudit.detail.firstEntry')}</span>
              ) : null}
            </dd>
          </div>
        </dl>
        <VerifyInclusion item={item} />
      </section>
    </>
  );
}

/** Optional check in this browser: the checkpoint's signature, the entry's leaf hash, and the inclusion proof. */
function VerifyInclusion({ item }: { item: AuditEntryDto }) {
  const { t } = useTranslation();
  const describe = useErrorMessage();
  const verify = useVerifyInclusionMutation();
  const data = verify.data;
  let outcome: ReactNode = null;
  if (data?.kind === 'not_covered') {
    outcome = <Alert tone="info">{t('adminAudit.verify.notCovered', { size: data.checkpoint.checkpoint.size })}</Alert>;
  } else if (data?.kind === 'checked') {
    const { signature, leaf, inclusion } = data.outcome;
    const size = data.checkpoint.checkpoint.size;
    outcome =
      signature && leaf && inclusion ? (
        <Alert tone="success">{t('adminAudit.verify.ok', { seq: item.entry.seq, size })}</Alert>
      ) : (
        <Alert tone="error">
          {t('adminAudit.verify.failed')}
          <ul className="audit-verify__problems">
            {signature ? null : <li>{t('adminAudit.verify.badSignature')}</li>}
            {leaf ? null : <li>{t('adminAudit.verify.badLeaf')}</li>}
            {inclusion ? null : <li>{t('adminAudit.verify.badInclusion')}</li>}
          </ul>
        </Alert>
      );
  }
  return (
    <div className="audit-verify">
      <div className="audit-verify__row">
        <Button size="sm" disabled={verify.isPending} onClick={() => verify.mutate(item)}>
          {verify.isPending ? t('adminAudit.verify.running') : t('adminAudit.verify.button')}
        </Button>
        {data?.kind === 'checked' ? (
          <span className="field__help">
            {t('adminAudit.verify.proofSize', { count: data.proof.proof.length, size: data.proof.treeSize })}
          </span>
        ) : (
          <span className="field__help">{t('adminAudit.verify.help')}</span>
        )}
      </div>
      {verify.error ? <Alert tone="error">{describe(verify.error)}</Alert> : null}
      {outcome}
    </div>
  );
}
