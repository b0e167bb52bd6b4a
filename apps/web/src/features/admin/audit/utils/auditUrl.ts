import { AUDIT_ACTIONS, AUDIT_ENTITY_TYPES, type AuditAction, type AuditEntityType } from '@miyu/protocol';
import type { AuditFilter, AuditSort } from '../api/audit.api';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What the page shows, as kept in the URL query so a link reproduces it: dates as the date inputs hold them
 * (local days, both inclusive), the chosen person's name next to their id (for the chip), the page and the entry
 * whose detail is open.
 */
export interface AuditView {
  fromDate: string;
  toDate: string;
  actorId: string | null;
  actorName: string | null;
  action: AuditAction | null;
  entityType: AuditEntityType | null;
  entityId: string;
  /** The account's name when the object filter is an account (shown on its chip). */
  entityName: string | null;
  departmentId: string | null;
  result: 'success' | 'failure' | null;
  sort: AuditSort;
  page: number;
  entry: number | null;
}

/** The URL parameter of each view field. */
const PARAM = {
  fromDate: 'from',
  toDate: 'to',
  actorId: 'actor',
  actorName: 'actorName',
  action: 'action',
  entityType: 'entityType',
  entityId: 'entityId',
  entityName: 'entityName',
  departmentId: 'department',
  result: 'result',
  sort: 'sort',
  page: 'page',
  entry: 'entry',
} as const satisfies Record<keyof AuditView, string>;

const pick = <T extends string>(options: readonly T[], value: string | null): T | null =>
  options.find((option) => option === value) ?? null;

function positive(value: string | null): number | null {
  if (!value || !/^\d{1,15}$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 ? n : null;
}

/** Reads the view from the URL; anything malformed is ignored rather than sent to the server. */
export function readAuditView(params: URLSearchParams): AuditView {
  const get = (key: keyof AuditView) => params.get(PARAM[key]);
  const date = (value: string | null) => (value && DATE.test(value) ? value : '');
  const uuid = (value: string | null) => (value && UUID.test(value) ? value : null);
  const actorId = uuid(get('actorId'));
  const entityType = pick(AUDIT_ENTITY_TYPES, get('entityType'));
  const entityId = (get('entityId') ?? '').trim().slice(0, 200);
  return {
    fromDate: date(get('fromDate')),
    toDate: date(get('toDate')),
    actorId,
    actorName: actorId ? get('actorName') : null,
    action: pick(AUDIT_ACTIONS, get('action')),
    entityType,
    entityId,
    entityName: isAccount({ entityType, entityId }) ? get('entityName') : null,
    departmentId: uuid(get('departmentId')),
    result: pick(['success', 'failure'], get('result')),
    sort: get('sort') === 'oldest' ? 'oldest' : 'newest',
    page: positive(get('page')) ?? 1,
    entry: positive(get('entry')),
  };
}

/** The URL query for a view; defaults are left out to keep links short. */
export function writeAuditView(view: AuditView): URLSearchParams {
  const params = new URLSearchParams();
  const set = (key: keyof AuditView, value: string | number | null) => {
    if (value !== null && value !== '') params.set(PARAM[key], String(value));
  };
  set('fromDate', view.fromDate);
  set('toDate', view.toDate);
  set('actorId', view.actorId);
  set('actorName', view.actorId ? view.actorName : null);
  set('action', view.action);
  set('entityType', view.entityType);
  set('entityId', view.entityId);
  set('entityName', isAccount(view) ? view.entityName : null);
  set('departmentId', view.departmentId);
  set('result', view.result);
  set('sort', view.sort === 'newest' ? null : view.sort);
  set('page', view.page > 1 ? view.page : null);
  set('entry', view.entry);
  return params;
}

/** The object filter names one account: the page offers a person picker for it instead of an id field. */
export function isAccount(view: Pick<AuditView, 'entityType' | 'entityId'>): boolean {
  return view.entityType === 'user' && UUID.test(view.entityId);
}

export const EMPTY_VIEW: AuditView = readAuditView(new URLSearchParams());

/** Local midnight of a `yyyy-mm-dd` date, plus `days`, as an ISO instant. */
export function localDayStart(date: string, days = 0): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days).toISOString();
}

export function rangeValid(view: Pick<AuditView, 'fromDate' | 'toDate'>): boolean {
  return !view.fromDate || !view.toDate || view.fromDate <= view.toDate;
}

/** The server's filter for a view. The end date is inclusive for people and exclusive for the server. */
export function toAuditFilter(view: AuditView): AuditFilter {
  const valid = rangeValid(view);
  return {
    from: valid && view.fromDate ? localDayStart(view.fromDate) : undefined,
    to: valid && view.toDate ? localDayStart(view.toDate, 1) : undefined,
    actorId: view.actorId ?? undefined,
    action: view.action ?? undefined,
    entityType: view.entityType ?? undefined,
    entityId: view.entityId || undefined,
    departmentId: view.departmentId ?? undefined,
    result: view.result ?? undefined,
  };
}

/** Actions by the part before the dot (`auth`, `user`, …), in catalogue order. */
export const AUDIT_ACTION_GROUPS: ReadonlyArray<{ group: string; actions: readonly AuditAction[] }> = (() => {
  const groups = new Map<string, AuditAction[]>();
  for (const action of AUDIT_ACTIONS) {
    const group = action.split('.')[0] ?? action;
    groups.set(group, [...(groups.get(group) ?? []), action]);
  }
  return [...groups].map(([group, actions]) => ({ group, actions }));
})();
