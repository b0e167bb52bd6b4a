/**
 * Departments are stored as a tree with a materialised path: each department's `path` is its ancestors' ids and
 * its own, joined by '.', so "everyone under X, recursively" is one indexed prefix query (`path LIKE 'a.b.%'`).
 * These helpers keep the encoding in one place.
 */
export const MAX_DEPARTMENT_DEPTH = 25;

export function childPath(parentPath: string | null, departmentId: string): string {
  if (!/^[0-9a-f]{32}$/.test(departmentId)) throw new Error('department ids in paths are 32 lowercase hex digits');
  const path = parentPath ? `${parentPath}.${departmentId}` : departmentId;
  if (depthOf(path) > MAX_DEPARTMENT_DEPTH) throw new Error(`departments nest at most ${MAX_DEPARTMENT_DEPTH} deep`);
  return path;
}

export function depthOf(path: string): number {
  return path.split('.').length;
}

/** True when `ancestor` is `path` itself or above it: moving a department under its own subtree is a cycle. */
export function isSelfOrAncestor(ancestor: string, path: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`);
}

/** The LIKE pattern that selects every department strictly below `path`. */
export function descendantsPattern(path: string): string {
  return `${path}.%`;
}
