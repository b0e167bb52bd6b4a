export { OrgDirectoryModule } from './org-directory.module.js';
export { childPath, depthOf, descendantsPattern, isSelfOrAncestor, MAX_DEPARTMENT_DEPTH } from './department-path.js';
