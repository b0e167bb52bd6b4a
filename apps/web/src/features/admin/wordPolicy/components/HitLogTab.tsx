import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type FilterActionName, filterActionSchema, type FilterHitStats } from '@miyu/protocol';
import { formatDateTime } from '../../../../lib/format';
import { useErrorMessage } from '../../../../lib/useErrorMessage';
import { Alert } from '../../../../ui/Alert';
import { Button } from '../../../../ui/Button';
import { DataTable } from '../../../../ui/DataTable';
import { SelectField, TextField } from '../../../../ui/Field';
import { Pager } from '../../../../ui/Pager';
import { Spinner } from '../../../../ui/Spinner';
import { type HitFilter, type HitStatsBy, hitsExportUrl } from '../api/wordPolicy.api';
import { useHitListQuery, useHitStatsQuery, useRuleListQuery } from '../api/wordPolicy.queries';
import { ActionBadge, ActionFilterOptions, FILTER_ACTIONS } from './ActionBadge';

export const HITS_PAGE_SIZE = 50;
const STATS_BY: readonly HitStatsBy[] = ['rule', 'category', 'department', 'day'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CATEGORY_QUERY = { q: '', category: null, action: null, limit: 1, offset: 0 } as const;

/** A filter chosen from a statistics row: the id the server filters by and the name people read. */
interface Picked {
  id: string;
  label: string;
}

interface Filters {
  fromDate: string;
  toDate: string;
  category: string | null;
  action: FilterActionName | null;
  rule: Picked | null;
  department: Picked | null;
}

const NO_FILTERS: Filters = { fromDate: '', toDate: '', category: null, action: null, rule: null, department: null };

/** Local midnight of a `yyyy-mm-dd` date input, plus `days`, as an ISO instant. */
function localDayStart(date: string, days = 0): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days).toISOString();
}

function toHitFilter(filters: Filters, rangeValid: boolean): HitFilter {
  return {
    // The end date is inclusive for people and exclusive for the server: send the next day's midnight.
    from: rangeValid && filters.fromDate ? localDayStart(filters.fromDate) : undefined,
    to: rangeValid && filters.toDate ? localDayStart(filters.toDate, 1) : undefined,
    category: filters.category ?? undefined,
    action: filters.action ?? undefined,
    ruleId: filters.rule?.id,
    departmentId: filters.department?.id,
  };
}

/** The hit log: filters, statistics by rule / category / department / day, the paged log and its CSV export. */
export function HitLogTab() {
  const { t, i18n } = useTranslation();
  const describe = useErrorMessage();
  const id = useId();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [by, setBy] = useState<HitStatsBy>('rule');
  const [offset, setOffset] = useState(0);
  const rangeValid = !filters.fromDate || !filters.toDate || filters.fromDate <= filters.toDate;
  const filter = toHitFilter(filters, rangeValid);
  const stats = useHitStatsQuery(filter, by);
  const log = useHitListQuery(filter, HITS_PAGE_SIZE, offset);
  const categories = useRuleListQuery(CATEGORY_QUERY).data?.categories ?? [];

  const update = (change: Partial<Filters>) => {
    setFilters((f) => ({ ...f, ...change }));
    setOffset(0);
  };
  const items = log.data?.items ?? [];
  const total = log.data?.total ?? 0;

  return (
    <>
      <section className="card" aria-labelledby={`${id}-filters`}>
        <h2 className="card__title" id={`${id}-filters`}>
          {t('adminWordPolicy.hits.filters')}
        </h2>
        <div className="wp-filters">
          <TextField
            label={t('adminWordPolicy.hits.from')}
            type="date"
            value={filters.fromDate}
            onChange={(event) => update({ fromDate: event.target.value })}
          />
          <TextField
            label={t('adminWordPolicy.hits.to')}
            type="date"
            value={filters.toDate}
            error={rangeValid ? null : t('adminWordPolicy.hits.rangeInvalid')}
            onChange={(event) => update({ toDate: event.target.value })}
          />
          <SelectField
            label={t('adminWordPolicy.rules.category')}
            value={filters.category ?? ''}
            onChange={(event) => update({ category: event.target.value || null })}
          >
            <option value="">{t('adminWordPolicy.rules.allCategories')}</option>
            {filters.category && !categories.some((c) => c.category === filters.category) ? (
              <option value={filters.category}>{filters.category}</option>
            ) : null}
            {categories.map((c) => (
              <option key={c.category} value={c.category}>
                {c.category}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={t('adminWordPolicy.rules.action')}
            value={filters.action ?? ''}
            onChange={(event) =>
              update({ action: event.target.value ? filterActionSchema.parse(event.target.value) : null })
            }
          >
            <ActionFilterOptions allLabel={t('adminWordPolicy.rules.allActions')} />
          </SelectField>
        </div>
        {filters.rule || filters.department ? (
          <ul className="wp-chips" aria-label={t('adminWordPolicy.hits.picked')}>
            {filters.rule ? (
              <FilterChip
                text={t('adminWordPolicy.hits.ruleChip', { rule: filters.rule.label })}
                onClear={() => update({ rule: null })}
              />
            ) : null}
            {filters.department ? (
              <FilterChip
                text={t('adminWordPolicy.hits.departmentChip', { department: filters.department.label })}
                onClear={() => update({ department: null })}
              />
            ) : null}
          </ul>
        ) : null}
        <p className="field__help">{t('adminWordPolicy.hits.pickHelp')}</p>
        <div className="form__actions">
          <Button variant="ghost" onClick={() => update(NO_FILTERS)}>
            {t('adminWordPolicy.hits.reset')}
          </Button>
          <a className="btn btn--secondary" href={hitsExportUrl(filter)} download="sensitive-word-hits.csv">
            {t('adminWordPolicy.hits.export')}
          </a>
        </div>
      </section>

      <section className="card" aria-labelledby={`${id}-stats`}>
        <div className="wp-card-heading">
          <h2 className="card__title" id={`${id}-stats`}>
            {t('adminWordPolicy.hits.statsTitle')}
          </h2>
          <select
            className="input select input--sm wp-toolbar__select"
            aria-label={t('adminWordPolicy.hits.by')}
            value={by}
            onChange={(event) => setBy(STATS_BY.find((b) => b === event.target.value) ?? 'rule')}
          >
            {STATS_BY.map((option) => (
              <option key={option} value={option}>
                {t(`adminWordPolicy.hits.byOptions.${option}`)}
              </option>
            ))}
          </select>
        </div>
        {stats.error ? <Alert tone="error">{describe(stats.error)}</Alert> : null}
        {stats.isPending ? <Spinner label={t('common.loading')} /> : null}
        {stats.data && stats.data.rows.length === 0 ? (
          <p className="empty">{t('adminWordPolicy.hits.statsEmpty')}</p>
        ) : null}
        {stats.data && stats.data.rows.length > 0 ? (
          <StatsTable
            stats={stats.data}
            onPick={(row) => {
              if (stats.data.by === 'rule') update({ rule: { id: row.key, label: row.label } });
              else if (stats.data.by === 'department') update({ department: { id: row.key, label: row.label } });
              else if (stats.data.by === 'category') update({ category: row.key });
            }}
          />
        ) : null}
      </section>

      <section className="card card--flush" aria-labelledby={`${id}-log`}>
        <div className="wp-card-toolbar">
          <h2 className="card__title" id={`${id}-log`}>
            {t('adminWordPolicy.hits.logTitle')}
          </h2>
          <p className="card__text">{t('adminWordPolicy.hits.logText')}</p>
        </div>
        {log.error ? <Alert tone="error">{describe(log.error)}</Alert> : null}
        {log.isPending ? <Spinner label={t('common.loading')} /> : null}
        <DataTable
          caption={t('adminWordPolicy.hits.logTitle')}
          columns={[
            t('adminWordPolicy.hits.columns.time'),
            t('adminWordPolicy.hits.columns.person'),
            t('adminWordPolicy.hits.columns.departments'),
            t('adminWordPolicy.hits.columns.rule'),
            t('adminWordPolicy.hits.columns.category'),
            t('adminWordPolicy.hits.columns.action'),
            t('adminWordPolicy.hits.columns.source'),
            t('adminWordPolicy.hits.columns.version'),
          ]}
          rows={items}
          empty={log.data ? t('adminWordPolicy.hits.empty') : null}
          renderRow={(hit) => (
            <tr key={hit.id}>
              <td>{formatDateTime(hit.occurredAt, i18n.language)}</td>
              <th scope="row">{hit.userName ?? t('adminWordPolicy.hits.unknownPerson')}</th>
              <td className="wp-cell-wrap">{hit.departments.length > 0 ? hit.departments.join(' / ') : '—'}</td>
              <td className="wp-cell-wrap">{hit.rulePattern}</td>
              <td>{hit.category}</td>
              <td>
                <ActionBadge action={hit.action} />
              </td>
              <td>{t(`adminWordPolicy.hits.sources.${hit.source}`)}</td>
              <td>{hit.policyVersion}</td>
            </tr>
          )}
        />
        {total > 0 ? (
          <Pager
            offset={offset}
            pageSize={HITS_PAGE_SIZE}
            shown={items.length}
            total={total}
            onOffsetChange={setOffset}
          />
        ) : null}
      </section>
    </>
  );
}

function FilterChip({ text, onClear }: { text: string; onClear: () => void }) {
  const { t } = useTranslation();
  return (
    <li className="wp-chip">
      <span>{text}</span>
      <Button size="sm" variant="ghost" aria-label={`${t('adminWordPolicy.hits.clear')} · ${text}`} onClick={onClear}>
        {t('adminWordPolicy.hits.clear')}
      </Button>
    </li>
  );
}

type StatsRow = FilterHitStats['rows'][number];

function StatsTable({ stats, onPick }: { stats: FilterHitStats; onPick: (row: StatsRow) => void }) {
  const { t } = useTranslation();
  const max = Math.max(1, ...stats.rows.map((r) => r.total));
  // Rows of deleted rules are keyed by their text and rows without a department by "": nothing to filter by.
  const pickable = (row: StatsRow) =>
    stats.by === 'category' || ((stats.by === 'rule' || stats.by === 'department') && UUID.test(row.key));
  const label = (row: StatsRow) =>
    stats.by === 'department' && row.key === '' ? t('adminWordPolicy.hits.noDepartment') : row.label;
  return (
    <div className="table-wrap wp-scroll">
      <table className="table wp-stats">
        <caption className="visually-hidden">{t('adminWordPolicy.hits.statsTitle')}</caption>
        <thead>
          <tr>
            <th scope="col">{t(`adminWordPolicy.hits.byOptions.${stats.by}`)}</th>
            {FILTER_ACTIONS.map((action) => (
              <th scope="col" key={action} className="wp-num">
                {t(`adminWordPolicy.actions.${action}`)}
              </th>
            ))}
            <th scope="col" className="wp-num">
              {t('adminWordPolicy.hits.total')}
            </th>
            <th scope="col">
              <span className="visually-hidden">{t('adminWordPolicy.hits.chart')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {stats.rows.map((row) => (
            <tr key={row.key}>
              <th scope="row" className="wp-cell-wrap">
                {pickable(row) ? (
                  <button
                    type="button"
                    className="wp-link"
                    aria-label={`${t('adminWordPolicy.hits.showOnly')} · ${label(row)}`}
                    onClick={() => onPick(row)}
                  >
                    {label(row)}
                  </button>
                ) : (
                  label(row)
                )}
              </th>
              {FILTER_ACTIONS.map((action) => (
                <td key={action} className="wp-num">
                  {row[action]}
                </td>
              ))}
              <td className="wp-num">{row.total}</td>
              <td className="wp-bar-cell">
                <StackedBar row={row} max={max} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One bar per row, split by action; drawn with SVG attributes (the CSP allows no inline styles). */
function StackedBar({ row, max }: { row: StatsRow; max: number }) {
  let x = 0;
  return (
    <svg className="wp-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      {FILTER_ACTIONS.map((action) => {
        const width = (row[action] / max) * 100;
        const rect =
          width > 0 ? (
            <rect key={action} className={`wp-bar--${action}`} x={x} y={0} width={width} height={10} />
          ) : null;
        x += width;
        return rect;
      })}
    </svg>
  );
}
