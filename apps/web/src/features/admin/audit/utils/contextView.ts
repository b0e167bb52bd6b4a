/** One changed (or kept) value; a side that was not recorded is `has… = false`, which counts as a change. */
export interface DiffRow {
  /** The field's name; null for a context whose before/after are single values (a role, a status). */
  key: string | null;
  before: unknown;
  after: unknown;
  hasBefore: boolean;
  hasAfter: boolean;
  changed: boolean;
}

/** An entry's context split for display: a before/after diff when it records one, every other key as a list. */
export interface ContextView {
  diff: DiffRow[] | null;
  rest: Array<{ key: string; value: unknown }>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Key order does not make two objects different (context is free-form JSON). */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stable(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function row(key: string | null, side: Record<string, unknown>): DiffRow {
  const hasBefore = Object.hasOwn(side, 'before');
  const hasAfter = Object.hasOwn(side, 'after');
  return {
    key,
    before: side['before'],
    after: side['after'],
    hasBefore,
    hasAfter,
    changed: hasBefore !== hasAfter || stable(side['before']) !== stable(side['after']),
  };
}

/** `{ field: { before, after } }`: the shape of `context.changes` (changed fields only; either side may be absent). */
function isChangeMap(value: unknown): value is Record<string, Record<string, unknown>> {
  return (
    isPlainObject(value) &&
    Object.keys(value).length > 0 &&
    Object.values(value).every((v) => isPlainObject(v) && (Object.hasOwn(v, 'before') || Object.hasOwn(v, 'after')))
  );
}

/**
 * The before/after the server records come in three shapes: `before`/`after` objects (a rule as it was and is:
 * compared key by key), `before`/`after` single values (a role, a status), and `changes: { field: { before, after } }`.
 */
export function contextView(context: Record<string, unknown> | null): ContextView {
  if (!context) return { diff: null, rest: [] };
  const entries = Object.entries(context);
  const hasBefore = Object.hasOwn(context, 'before');
  const hasAfter = Object.hasOwn(context, 'after');
  const { before, after } = context;
  const others = () =>
    entries.filter(([key]) => key !== 'before' && key !== 'after').map(([key, value]) => ({ key, value }));
  if ((hasBefore || hasAfter) && (isPlainObject(before) || !hasBefore) && (isPlainObject(after) || !hasAfter)) {
    const b = isPlainObject(before) ? before : {};
    const a = isPlainObject(after) ? after : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    return {
      diff: keys.map((key) =>
        row(key, {
          ...(Object.hasOwn(b, key) ? { before: b[key] } : {}),
          ...(Object.hasOwn(a, key) ? { after: a[key] } : {}),
        }),
      ),
      rest: others(),
    };
  }
  if (hasBefore || hasAfter) return { diff: [row(null, context)], rest: others() };
  const changes = context['changes'];
  if (isChangeMap(changes)) {
    return {
      diff: Object.entries(changes).map(([key, side]) => row(key, side)),
      rest: entries.filter(([key]) => key !== 'changes').map(([key, value]) => ({ key, value })),
    };
  }
  return { diff: null, rest: entries.map(([key, value]) => ({ key, value })) };
}

/** A context value as text: strings as they are, everything else as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value, null, isPlainObject(value) || Array.isArray(value) ? 2 : undefined) ?? String(value);
}
