import { useTranslation } from 'react-i18next';
import { contextView, type DiffRow, formatValue } from '../utils/contextView';

/** An entry's context: a before/after table with the changed keys marked, then any other keys as a list. */
export function ContextView({ context }: { context: Record<string, unknown> | null }) {
  const { t } = useTranslation();
  const { diff, rest } = contextView(context);
  if (!diff && rest.length === 0) return <p className="card__text">{t('adminAudit.detail.noContext')}</p>;
  return (
    <>
      {diff ? <DiffTable rows={diff} /> : null}
      {rest.length > 0 ? (
        <dl className="audit-kv">
          {rest.map(({ key, value }) => (
            <div key={key} className="audit-kv__row">
              <dt>{key}</dt>
              <dd>
                <Value value={value} />
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
    </>
  );
}

function DiffTable({ rows }: { rows: DiffRow[] }) {
  const { t } = useTranslation();
  const changed = rows.filter((row) => row.changed).length;
  return (
    <div className="table-wrap audit-diff-wrap">
      <table className="table audit-diff">
        <caption className="audit-diff__caption">{t('adminAudit.detail.diffCaption', { count: changed })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('adminAudit.detail.key')}</th>
            <th scope="col">{t('adminAudit.detail.before')}</th>
            <th scope="col">{t('adminAudit.detail.after')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key ?? ''} className={row.changed ? 'audit-diff__row is-changed' : 'audit-diff__row'}>
              <th scope="row">
                {row.key ?? t('adminAudit.detail.value')}
                {row.changed ? <span className="audit-diff__mark">{t('adminAudit.detail.changed')}</span> : null}
              </th>
              <td className={row.changed ? 'audit-diff__before' : undefined}>
                {row.hasBefore ? <Value value={row.before} /> : <Absent />}
              </td>
              <td className={row.changed ? 'audit-diff__after' : undefined}>
                {row.hasAfter ? <Value value={row.after} /> : <Absent />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Value({ value }: { value: unknown }) {
  const text = formatValue(value);
  return typeof value === 'string' ? (
    <span className="audit-value">{text}</span>
  ) : (
    <code className="audit-value">{text}</code>
  );
}

function Absent() {
  const { t } = useTranslation();
  return <span className="audit-absent">{t('adminAudit.detail.absent')}</span>;
}
