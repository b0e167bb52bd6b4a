export type WordListFileErrorCode =
  | 'WORD_LIST_FORMAT_UNKNOWN'
  | 'WORD_LIST_TOO_LARGE'
  | 'WORD_LIST_ENCODING'
  | 'WORD_LIST_XLSX_INVALID'
  | 'WORD_LIST_EMPTY';

/** The whole file is refused (as opposed to single rows, which become `WordListRowError`s in the preview). */
export class WordListFileError extends Error {
  constructor(
    readonly code: WordListFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WordListFileError';
  }

  static formatUnknown(detail: string): WordListFileError {
    return new WordListFileError(
      'WORD_LIST_FORMAT_UNKNOWN',
      `The file is not a TXT, CSV or XLSX word list: ${detail}.`,
    );
  }
  static tooLarge(detail: string): WordListFileError {
    return new WordListFileError('WORD_LIST_TOO_LARGE', `The word list is too large: ${detail}.`);
  }
  static encoding(): WordListFileError {
    return new WordListFileError(
      'WORD_LIST_ENCODING',
      'The file is neither UTF-8 nor GB18030/GBK text: save it as UTF-8 and upload it again.',
    );
  }
  static xlsxInvalid(detail: string): WordListFileError {
    return new WordListFileError('WORD_LIST_XLSX_INVALID', `The XLSX file cannot be read: ${detail}.`);
  }
  static empty(): WordListFileError {
    return new WordListFileError('WORD_LIST_EMPTY', 'The file holds no words.');
  }
}
