/** The import file's columns (docs/user-guide.md, "Directory"); the header row names them, in any order. */
export const IMPORT_COLUMN_DOCS = [
  { name: 'kind', rows: 'both' },
  { name: 'code', rows: 'department' },
  { name: 'name', rows: 'department' },
  { name: 'name_en', rows: 'department' },
  { name: 'parent_code', rows: 'department' },
  { name: 'sort_order', rows: 'department' },
  { name: 'login', rows: 'person' },
  { name: 'display_name', rows: 'person' },
  { name: 'employee_no', rows: 'person' },
  { name: 'email', rows: 'person' },
  { name: 'phone', rows: 'person' },
  { name: 'department_code', rows: 'person' },
  { name: 'title', rows: 'person' },
  { name: 'manager_employee_no', rows: 'person' },
  { name: 'primary', rows: 'person' },
] as const;

/** A small example file, served from apps/web/public. */
export const SAMPLE_CSV_PATH = '/directory-import-sample.csv';
