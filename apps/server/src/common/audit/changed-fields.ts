/** Before and after values of one changed field, as audit records carry them. */
export interface FieldChange {
  before: unknown;
  after: unknown;
}

/**
 * `{ field: { before, after } }` for the fields of `patch` whose value differs from `before` (arrays compared by
 * value), or null when nothing changed.
 */
export function changedFields<T extends object>(
  before: T,
  patch: Partial<T>,
  fields: ReadonlyArray<keyof T & string>,
): Record<string, FieldChange> | null {
  const changes: Record<string, FieldChange> = {};
  for (const field of fields) {
    const after = patch[field];
    if (after === undefined || same(after, before[field])) continue;
    changes[field] = { before: before[field] ?? null, after };
  }
  return Object.keys(changes).length > 0 ? changes : null;
}

function same(a: unknown, b: unknown): boolean {
  return a === b || (Array.isArray(a) && Array.isArray(b) && JSON.stringify(a) === JSON.stringify(b));
}
