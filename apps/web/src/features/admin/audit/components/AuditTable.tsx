import { useTranslation } from 'react-i18next';
import type { AuditEntryDto } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { Button } from '../../../../ui/Button';
import { DataTable } from '../../../../ui/DataTable';
import { actionLabel, actorLabel, entityTypeLabel, ResultBadge } from './labels';

export interface AuditTableProps {
  items: AuditEntryDto[];
  caption: string;
  onOpen: (item: AuditEntryDto) => void;
}

/** One row per entry: when (local time), who (and from where), what, on what, and how it ended. */
export function AuditTable({ items, caption, onOpen }: AuditTableProps) {
  const { t, i18n } = useTranslation();
  return (
    <DataTable
      className="audit-table"
      caption={caption}
      columns={[
        t('adminAudit.table.columns.time'),
        t('adminAudit.table.columns.actor'),
        t('adminAudit.table.columns.action'),
        t('adminAudit.table.columns.entity'),
        t('adminAudit.table.columns.result'),
      ]}
      actions={<span className="visually-hidden">{t('adminAudit.table.columns.details')}</span>}
      rows={items}
      renderRow={(item) => {
        const { entry } = item;
        const entity = entry.entity.name ?? entry.entity.id;
        return (
          <tr key={entry.seq}>
            <td>
              <time dateTime={entry.time}>{formatDateTime(entry.time, i18n.language)}</time>
              <span className="table__sub">#{entry.seq}</span>
            </td>
            <th scope="row" className="audit-cell-wrap">
              {actorLabel(t, entry.actor)}
              {entry.actor.ip ? <span className="table__sub mono audit-nowrap">{entry.actor.ip}</span> : null}
            </th>
            <td>
              {actionLabel(t, entry.action)}
              <span className="table__sub mono">{entry.action}</span>
            </td>
            <td className="audit-cell-wrap">
              {entityTypeLabel(t, entry.entity.type)}
              {entity ? <span className="table__sub">{entity}</span> : null}
            </td>
            <td>
              <ResultBadge result={entry.result} />
            </td>
            <td className="table__actions">
              <Button
                size="sm"
                variant="ghost"
                aria-label={t('adminAudit.table.openEntry', { seq: entry.seq })}
                onClick={() => onOpen(item)}
              >
                {t('adminAudit.table.open')}
              </Button>
            </td>
          </tr>
        );
      }}
    />
  );
}
