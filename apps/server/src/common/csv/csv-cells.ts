/** CSV cells the server writes: RFC 4180 quoting and the guard against formula injection, in one place. */
/** Cells a spreadsheet app would run as a formula (or that start with a control it strips) get a leading '. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: a field holding a comma, quote or line break is quoted, with quotes doubled. */
export function quoteCsvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The guard against CSV formula injection: `=cmd|…`, `+1+1`, `-1+1`, `@SUM(…)` would run when the export is opened
 * in Excel. The import side takes the apostrophe off again (see `unguardCsvCell`), so export → import round-trips.
 */
export function guardCsvCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Undoes `guardCsvCell`: a ' before a formula character was added by an export, not typed by an admin. */
export function unguardCsvCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/** A cell as it is written: the formula guard, then RFC 4180 quoting. */
export function csvCell(value: string): string {
  return quoteCsvField(guardCsvCell(value));
}
