import { WordListFileError } from './word-list.errors.js';
import { type WordListFormat } from './word-list.types.js';

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];
const OLE_COMPOUND_FILE = [0xd0, 0xcf, 0x11, 0xe0];

/**
 * The upload's format: a zip (PK\x03\x04) is read as XLSX whatever its name; otherwise the extension decides. Old
 * binary .xls workbooks are refused with a hint, as are other extensions.
 */
export function detectWordListFormat(fileName: string, bytes: Uint8Array): WordListFormat {
  if (startsWith(bytes, ZIP_LOCAL_HEADER)) return 'xlsx';
  const baseName = fileName.split(/[\\/]/).pop() ?? '';
  const dot = baseName.lastIndexOf('.');
  const extension = dot <= 0 ? '' : baseName.slice(dot + 1).toLowerCase();
  if (extension === 'txt' || extension === 'csv' || extension === 'xlsx') return extension;
  if (extension === 'xls' || startsWith(bytes, OLE_COMPOUND_FILE)) {
    throw WordListFileError.formatUnknown('old .xls workbooks are not supported, save it as .xlsx');
  }
  throw WordListFileError.formatUnknown(
    extension ? `".${extension}" files are not supported` : 'the file name has no extension',
  );
}
