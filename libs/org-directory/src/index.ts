export { OrgDirectoryModule } from './org-directory.module.js';
export { childPath, depthOf, descendantsPattern, isSelfOrAncestor, MAX_DEPARTMENT_DEPTH } from './department-path.js';
export * from './entities.js';
export * from './errors.js';
export * from './types.js';
export { DirectoryRepository, pathSegment, subtree } from './directory.repository.js';
export { DirectoryService, MAX_MEMBERSHIPS } from './directory.service.js';
export { recountAll } from './directory-counts.js';
export { DepartmentGroupsService } from './department-groups.service.js';
export { DirectoryImportService, NO_PASSWORD } from './directory-import.service.js';
export { IMPORT_COLUMNS, IMPORT_LIMITS, parseCsv, parseXlsx, type RawImportRow } from './import-file.js';
export {
  readCsvRecords,
  readXlsxRows,
  SpreadsheetError,
  zipUncompressedSize,
  type CsvRecord,
  type SpreadsheetErrorCode,
  type SpreadsheetRow,
  type XlsxLimits,
} from './spreadsheet.js';
export { normaliseQuery, searchTermsOf } from './search-terms.js';
