/**
 * SQL condition: `column` holds the department given as parameter `$param` or one below it (materialised paths, see
 * libs/org-directory department-path.ts), for filters by department that include its whole subtree.
 */
export function inDepartmentSubtree(column: string, param: number): string {
  return `${column} IN (SELECT sub.id FROM departments sub, departments top
            WHERE top.id = $${param} AND (sub.id = top.id OR sub.path LIKE top.path || '.%'))`;
}
