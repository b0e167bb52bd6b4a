/** The file formats an admin can upload or download a sensitive-word list in. */
export type WordListFormat = 'txt' | 'csv' | 'xlsx';

export type ImportAction = 'block' | 'mask' | 'warn' | 'flag';

/** One accepted row of an import file. `line` is the 1-based source line (TXT, CSV) or spreadsheet row (XLSX). */
export interface WordListRow {
  line: number;
  word: string;
  category: string | null;
  action: ImportAction | null;
}

export type WordListRowErrorCode =
  'WORD_EMPTY' | 'WORD_TOO_LONG' | 'ACTION_UNKNOWN' | 'CATEGORY_TOO_LONG' | 'DUPLICATE_IN_FILE' | 'ROW_MALFORMED';

/** A refused row, shown in the import preview; `raw` is the row's source text (shortened when very long). */
export interface WordListRowError {
  line: number;
  code: WordListRowErrorCode;
  message: string;
  raw: string;
}

export interface WordListParseResult {
  format: WordListFormat;
  rows: WordListRow[];
  errors: WordListRowError[];
  /** Lines of the source (TXT, CSV; a final line break does not start a new line) or the last spreadsheet row with a value (XLSX). */
  totalLines: number;
}

/** A row of the exported list: the stored word with its category ('' for none) and action. */
export interface WordListExportRow {
  word: string;
  category: string;
  action: ImportAction;
}

export const WORD_LIST_LIMITS = {
  fileBytes: 5 * 1024 * 1024,
  dataRows: 50_000,
  /** Code points, after trimming. */
  wordLength: 64,
  categoryLength: 40,
  /** Sum of the declared uncompressed sizes of all entries of an XLSX zip, checked before ExcelJS inflates anything. */
  xlsxUncompressedBytes: 20 * 1024 * 1024,
  /** Code points of `raw` kept in a row error. */
  rawLength: 200,
} as const;

/**
 * One record of a source file before the word-list rules apply: the cells of a CSV record or spreadsheet row, or
 * the single cell of a TXT line.
 */
export interface SourceRecord {
  line: number;
  cells: readonly string[];
  /** 1 + the index of the last non-empty cell (0 for an empty record). */
  width: number;
  raw: string;
  /** Why the record could not be split into cells (an unterminated quote), or null. */
  malformed: string | null;
}
