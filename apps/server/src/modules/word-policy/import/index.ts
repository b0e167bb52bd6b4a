export { detectWordListFormat } from './format-detection.js';
export { parseWordList } from './parse-word-list.js';
export { exportWordListCsv } from './csv-writer.js';
export { exportWordListXlsx } from './xlsx-writer.js';
export { IMPORT_ACTION_NAMES, WORD_LIST_COLUMN_NAMES } from './word-list-rules.js';
export { WordListFileError, type WordListFileErrorCode } from './word-list.errors.js';
export {
  WORD_LIST_LIMITS,
  type ImportAction,
  type WordListExportRow,
  type WordListFormat,
  type WordListParseResult,
  type WordListRow,
  type WordListRowError,
  type WordListRowErrorCode,
} from './word-list.types.js';
