import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Org-chart counts without scanning the organisation: the number of distinct active people in each department's
 * subtree is stored and kept current by the directory's writes (libs/org-directory, directory-counts.ts), and
 * member lists walk people in name order (users_directory_name_idx) instead of sorting a whole subtree.
 */
export class DirectoryCounts1764600000000 implements MigrationInterface {
  name = 'DirectoryCounts1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE department_member_counts (
        department_id uuid PRIMARY KEY,
        recursive_active integer NOT NULL DEFAULT 0,
        CONSTRAINT department_member_counts_nonnegative CHECK (recursive_active >= 0),
        CONSTRAINT department_member_counts_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX users_directory_name_idx ON users (display_name, id)`);
    await q.query(`CREATE INDEX users_disabled_idx ON users (id) WHERE status = 'disabled'`);
    // Every department a membership's path passes through counts the person once (a frozen copy of the lib's
    // full recount: migrations do not import code that may change after them).
    await q.query(`
      INSERT INTO department_member_counts (department_id, recursive_active)
      SELECT seg::uuid, count(DISTINCT m.user_id)::int
        FROM department_members m
        JOIN users u ON u.id = m.user_id AND u.status = 'active'
        CROSS JOIN LATERAL unnest(string_to_array(m.department_path, '.')) AS seg
       GROUP BY seg`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX users_disabled_idx`);
    await q.query(`DROP INDEX users_directory_name_idx`);
    await q.query(`DROP TABLE department_member_counts`);
  }
}
