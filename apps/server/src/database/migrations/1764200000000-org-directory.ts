import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Org directory (issue 4): departments as a materialised-path tree, memberships, manager and search terms,
 * department groups and the directory settings row. Paths and search terms use collation "C" so that
 * `LIKE 'prefix%'` is a btree range scan (no pg_trgm needed).
 */
export class OrgDirectory1764200000000 implements MigrationInterface {
  name = 'OrgDirectory1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE departments (
        id uuid PRIMARY KEY,
        parent_id uuid,
        path text COLLATE "C" NOT NULL,
        depth integer NOT NULL,
        name text NOT NULL,
        name_en text,
        code text,
        sort_order integer NOT NULL DEFAULT 0,
        head_user_id uuid,
        hidden boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT departments_depth_check CHECK (depth BETWEEN 1 AND 25),
        CONSTRAINT departments_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES departments (id) ON DELETE RESTRICT,
        CONSTRAINT departments_head_user_id_fkey FOREIGN KEY (head_user_id) REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX departments_path_key ON departments (path)`);
    await q.query(`CREATE INDEX departments_parent_idx ON departments (parent_id, sort_order)`);
    await q.query(`CREATE UNIQUE INDEX departments_code_key ON departments (code) WHERE code IS NOT NULL`);
    await q.query(`CREATE INDEX departments_hidden_idx ON departments (path) WHERE hidden`);

    await q.query(`
      CREATE TABLE department_members (
        department_id uuid NOT NULL,
        user_id uuid NOT NULL,
        department_path text COLLATE "C" NOT NULL,
        title text,
        is_primary boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT department_members_pkey PRIMARY KEY (department_id, user_id),
        CONSTRAINT department_members_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments (id) ON DELETE RESTRICT,
        CONSTRAINT department_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX department_members_user_idx ON department_members (user_id)`);
    await q.query(
      `CREATE UNIQUE INDEX department_members_primary_key ON department_members (user_id) WHERE is_primary`,
    );
    await q.query(`CREATE INDEX department_members_path_idx ON department_members (department_path)`);

    await q.query(`
      CREATE TABLE directory_people (
        user_id uuid PRIMARY KEY,
        manager_id uuid,
        indexed_key text NOT NULL DEFAULT '',
        CONSTRAINT directory_people_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT directory_people_manager_id_fkey FOREIGN KEY (manager_id) REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX directory_people_manager_idx ON directory_people (manager_id)`);

    await q.query(`
      CREATE TABLE directory_search_terms (
        user_id uuid NOT NULL,
        term text COLLATE "C" NOT NULL,
        whole boolean NOT NULL,
        CONSTRAINT directory_search_terms_pkey PRIMARY KEY (user_id, term),
        CONSTRAINT directory_search_terms_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX directory_search_terms_term_idx ON directory_search_terms (term)`);
    await q.query(`CREATE INDEX directory_search_terms_user_idx ON directory_search_terms (user_id)`);

    await q.query(`
      CREATE TABLE department_groups (
        id uuid PRIMARY KEY,
        department_id uuid,
        name text NOT NULL,
        include_subdepartments boolean NOT NULL DEFAULT false,
        archived_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT department_groups_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments (id) ON DELETE SET NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX department_groups_active_key ON department_groups (department_id) WHERE archived_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE department_group_members (
        group_id uuid NOT NULL,
        user_id uuid NOT NULL,
        CONSTRAINT department_group_members_pkey PRIMARY KEY (group_id, user_id),
        CONSTRAINT department_group_members_group_id_fkey FOREIGN KEY (group_id) REFERENCES department_groups (id) ON DELETE CASCADE,
        CONSTRAINT department_group_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX department_group_members_user_idx ON department_group_members (user_id)`);

    await q.query(`
      CREATE TABLE directory_settings (
        id smallint PRIMARY KEY,
        show_contact_info boolean NOT NULL DEFAULT true,
        CONSTRAINT directory_settings_single_row CHECK (id = 1)
      )`);
    await q.query(`INSERT INTO directory_settings (id, show_contact_info) VALUES (1, true)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE directory_settings`);
    await q.query(`DROP TABLE department_group_members`);
    await q.query(`DROP TABLE department_groups`);
    await q.query(`DROP TABLE directory_search_terms`);
    await q.query(`DROP TABLE directory_people`);
    await q.query(`DROP TABLE department_members`);
    await q.query(`DROP TABLE departments`);
  }
}
