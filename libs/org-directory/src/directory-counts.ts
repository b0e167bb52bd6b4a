import type { EntityManager } from 'typeorm';

/**
 * Stored recursive member counts (table department_member_counts): the number of distinct ACTIVE people in each
 * department's subtree. A path is the chain of its departments' ids, so a person counts once in every department
 * that appears in any of their membership paths; a change to one person's memberships is therefore a ±1 on the
 * departments that enter or leave that set, computed from the person's paths before and after.
 *
 * Concurrency: per-person changes run under the person's lock and the tree lock in shared mode and apply
 * `n = n + delta` (row locks serialise them); recounts (moves, status changes) lock the rows first and count in
 * a later statement, so they see every increment committed before them and later increments add on top.
 */

/** Ids (32 hex digits, as in paths) of every department on the given membership paths. */
export function departmentsOnPaths(paths: readonly string[]): Set<string> {
  const ids = new Set<string>();
  for (const p of paths) for (const seg of p.split('.')) ids.add(seg);
  return ids;
}

/** Membership paths of a person who is active; `[]` for a disabled person (they count nowhere). */
export async function activePathsOf(m: EntityManager, userId: string): Promise<string[]> {
  const rows = (await m.query(
    `SELECT dm.department_path FROM department_members dm JOIN users u ON u.id = dm.user_id AND u.status = 'active'
      WHERE dm.user_id = $1`,
    [userId],
  )) as Array<{ department_path: string }>;
  return rows.map((r) => r.department_path);
}

/** Applies the difference between a person's counted departments before and after a change. */
export async function applyPersonDelta(
  m: EntityManager,
  before: readonly string[],
  after: readonly string[],
): Promise<void> {
  const was = departmentsOnPaths(before);
  const now = departmentsOnPaths(after);
  const deltas = new Map<string, number>();
  for (const id of now) if (!was.has(id)) deltas.set(id, 1);
  for (const id of was) if (!now.has(id)) deltas.set(id, -1);
  if (deltas.size === 0) return;
  // Sorted so concurrent changes lock rows in one order (no deadlock between two people's changes).
  const ids = [...deltas.keys()].sort();
  await m.query(
    `INSERT INTO department_member_counts (department_id)
     SELECT unnest($1::text[])::uuid ON CONFLICT (department_id) DO NOTHING`,
    [ids],
  );
  await lockRows(m, ids);
  await m.query(
    `UPDATE department_member_counts c SET recursive_active = greatest(c.recursive_active + d.delta, 0)
       FROM unnest($1::text[], $2::int[]) AS d(id, delta) WHERE c.department_id = d.id::uuid`,
    [ids, ids.map((id) => deltas.get(id)!)],
  );
}

/** Locks count rows in id order, so concurrent changes never wait on each other in a cycle. */
async function lockRows(m: EntityManager, ids: readonly string[]): Promise<void> {
  await m.query(
    `SELECT 1 FROM department_member_counts WHERE department_id = ANY($1::uuid[]) ORDER BY department_id FOR UPDATE`,
    [ids],
  );
}

/** Recounts the given departments (ids as uuids) from the memberships, after locking their rows. */
export async function recountDepartments(m: EntityManager, departmentIds: readonly string[]): Promise<void> {
  if (departmentIds.length === 0) return;
  const ids = [...new Set(departmentIds)].sort();
  await m.query(
    `INSERT INTO department_member_counts (department_id)
     SELECT id FROM departments WHERE id = ANY($1::uuid[]) ORDER BY id ON CONFLICT (department_id) DO NOTHING`,
    [ids],
  );
  await lockRows(m, ids);
  await m.query(
    `UPDATE department_member_counts c
        SET recursive_active = (SELECT count(DISTINCT dm.user_id)::int FROM department_members dm
                                  JOIN users u ON u.id = dm.user_id AND u.status = 'active'
                                 WHERE dm.department_path >= d.path AND dm.department_path < d.path || '/')
       FROM departments d WHERE d.id = c.department_id AND c.department_id = ANY($1::uuid[])`,
    [ids],
  );
}

/** Recounts every department in one pass over the memberships (imports; callers hold the tree lock). */
export async function recountAll(m: EntityManager): Promise<void> {
  await m.query(`DELETE FROM department_member_counts`);
  await m.query(
    `INSERT INTO department_member_counts (department_id, recursive_active)
     SELECT seg::uuid, count(DISTINCT dm.user_id)::int
       FROM department_members dm
       JOIN users u ON u.id = dm.user_id AND u.status = 'active'
       CROSS JOIN LATERAL unnest(string_to_array(dm.department_path, '.')) AS seg
      GROUP BY seg`,
  );
}
