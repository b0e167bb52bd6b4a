import { unguardCsvCell } from '../../../common/csv/csv-cells.js';
import { shortenRaw } from './source-record.js';
import { WordListFileError } from './word-list.errors.js';
import {
  WORD_LIST_LIMITS,
  type ImportAction,
  type SourceRecord,
  type WordListFormat,
  type WordListParseResult,
  type WordListRow,
  type WordListRowError,
  type WordListRowErrorCode,
} from './word-list.types.js';

/** Header names of the three columns, compared after NFKC, trimming and lower-casing. */
export const WORD_LIST_COLUMN_NAMES = {
  word: ['word', '词', '敏感词'],
  category: ['category', '分类', '类别'],
  action: ['action', '动作', '处理方式'],
} as const satisfies Record<string, readonly string[]>;

/**
 * Action cell values, compared after NFKC, trimming and lower-casing. 屏蔽 is deliberately absent: admins use it for
 * both blocking a message and masking the word, so the file has to say which.
 */
export const IMPORT_ACTION_NAMES: ReadonlyMap<string, ImportAction> = new Map([
  ['block', 'block'],
  ['mask', 'mask'],
  ['warn', 'warn'],
  ['flag', 'flag'],
  ['拦截', 'block'],
  ['替换', 'mask'],
  ['打码', 'mask'],
  ['提醒', 'warn'],
  ['警告', 'warn'],
  ['标记', 'flag'],
  ['记录', 'flag'],
]);

export interface WordListRuleOptions {
  /** CSV and XLSX: the first non-empty record may be a header naming the columns. */
  detectHeader: boolean;
  /** CSV: take off the ' that an export put before formula characters. */
  unguardCells: boolean;
  /** The duplicate key of a trimmed word (see `parseWordList`). */
  keyOf: (word: string) => string;
}

interface ColumnLayout {
  word: number;
  category: number | null;
  action: number | null;
  /** Columns a data row may use. */
  width: number;
  fromHeader: boolean;
}

const HEADERLESS: ColumnLayout = { word: 0, category: 1, action: 2, width: 3, fromHeader: false };

function fold(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** The record is a header when one of its cells names the word column; cells naming nothing we know are ignored. */
function headerLayout(record: SourceRecord): ColumnLayout | null {
  const names = record.cells.map(fold);
  const find = (candidates: readonly string[]): number | null => {
    const i = names.findIndex((n) => candidates.includes(n));
    return i < 0 ? null : i;
  };
  const word = find(WORD_LIST_COLUMN_NAMES.word);
  if (word === null) return null;
  return {
    word,
    category: find(WORD_LIST_COLUMN_NAMES.category),
    action: find(WORD_LIST_COLUMN_NAMES.action),
    width: record.width,
    fromHeader: true,
  };
}

/** The default duplicate key: the same word after trimming, NFKC and lower-casing. */
export function wordListKey(word: string): string {
  return fold(word);
}

/**
 * Applies the word-list rules to the records of a file: header detection, column count, word/category/action
 * checks and duplicates. A row either becomes a `WordListRow` or gets one error per problem found; a duplicate
 * points at the first accepted row with that word, so importing the accepted rows keeps exactly one of them.
 */
export function buildWordList(
  format: WordListFormat,
  records: readonly SourceRecord[],
  totalLines: number,
  options: WordListRuleOptions,
): WordListParseResult {
  let data = records.filter((r) => r.width > 0 || r.malformed !== null);
  let layout = HEADERLESS;
  const first = data[0];
  if (options.detectHeader && first && first.malformed === null) {
    const header = headerLayout(first);
    if (header) {
      layout = header;
      data = data.slice(1);
    }
  }
  if (data.length > WORD_LIST_LIMITS.dataRows) {
    throw WordListFileError.tooLarge(`${data.length} rows, at most ${WORD_LIST_LIMITS.dataRows} are accepted`);
  }
  if (data.length === 0) throw WordListFileError.empty();

  const rows: WordListRow[] = [];
  const errors: WordListRowError[] = [];
  const firstLineOf = new Map<string, number>();
  for (const record of data) {
    const problems: Array<{ code: WordListRowErrorCode; message: string }> = [];
    const cell = (index: number | null): string => {
      if (index === null) return '';
      const value = record.cells[index] ?? '';
      return (options.unguardCells ? unguardCsvCell(value) : value).trim();
    };
    if (record.malformed !== null) {
      problems.push({ code: 'ROW_MALFORMED', message: `The row cannot be read: ${record.malformed}.` });
    } else if (record.width > layout.width) {
      const limit = layout.fromHeader
        ? `the header has ${layout.width}`
        : 'expected at most 3 (word, category, action)';
      problems.push({ code: 'ROW_MALFORMED', message: `The row has ${record.width} columns; ${limit}.` });
    } else {
      const word = cell(layout.word);
      const category = cell(layout.category);
      const actionText = cell(layout.action);
      const action = actionText === '' ? null : (IMPORT_ACTION_NAMES.get(fold(actionText)) ?? null);
      if (word === '') problems.push({ code: 'WORD_EMPTY', message: 'The word is empty.' });
      else if (codePoints(word) > WORD_LIST_LIMITS.wordLength) {
        problems.push({
          code: 'WORD_TOO_LONG',
          message: `The word has ${codePoints(word)} characters; at most ${WORD_LIST_LIMITS.wordLength} are allowed.`,
        });
      }
      if (codePoints(category) > WORD_LIST_LIMITS.categoryLength) {
        problems.push({
          code: 'CATEGORY_TOO_LONG',
          message: `The category has ${codePoints(category)} characters; at most ${WORD_LIST_LIMITS.categoryLength} are allowed.`,
        });
      }
      if (actionText !== '' && action === null) {
        problems.push({
          code: 'ACTION_UNKNOWN',
          message: `Unknown action "${actionText}": use ${[...IMPORT_ACTION_NAMES.keys()].join(', ')}.`,
        });
      }
      if (problems.length === 0) {
        const key = options.keyOf(word);
        const firstLine = firstLineOf.get(key);
        if (firstLine !== undefined) {
          problems.push({ code: 'DUPLICATE_IN_FILE', message: `"${word}" is already on line ${firstLine}.` });
        } else {
          firstLineOf.set(key, record.line);
          rows.push({ line: record.line, word, category: category === '' ? null : category, action });
        }
      }
    }
    const raw = shortenRaw(record.raw);
    for (const p of problems) errors.push({ line: record.line, code: p.code, message: p.message, raw });
  }
  return { format, rows, errors, totalLines };
}
