import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * LDAP / Active Directory sync (issue 11): the one configuration row, the link from each synced person to their
 * directory entry (external id: entryUUID / objectGUID, else the DN) and from each synced department to its OU.
 * The bind password is stored sealed in `bind_password_box` (SecretBox, under DATA_DIR/server-secrets.key; null
 * until one is set), never in the clear.
 */
export class LdapSync1765400000000 implements MigrationInterface {
  name = 'LdapSync1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ldap_config (
        id smallint PRIMARY KEY CONSTRAINT ldap_config_single_row CHECK (id = 1),
        enabled boolean NOT NULL DEFAULT false,
        flavour text NOT NULL CONSTRAINT ldap_config_flavour_check CHECK (flavour IN ('openldap', 'active_directory')),
        url text NOT NULL,
        tls_verify boolean NOT NULL DEFAULT true,
        bind_dn text NOT NULL,
        bind_password_box bytea,
        base_dns text[] NOT NULL,
        user_filter text NOT NULL,
        department_source text NOT NULL
          CONSTRAINT ldap_config_department_source_check CHECK (department_source IN ('ou', 'attribute', 'none')),
        ou_filter text,
        attributes jsonb NOT NULL,
        interval_minutes integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
        last_sync_at timestamptz,
        last_sync_trigger text,
        last_sync_ok boolean,
        last_sync_counts jsonb,
        last_sync_error text
      )`);
    await q.query(`
      CREATE TABLE ldap_people (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        external_id text NOT NULL CONSTRAINT ldap_people_external_id_key UNIQUE,
        dn text NOT NULL,
        disabled_by_sync boolean NOT NULL DEFAULT false,
        synced_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE ldap_departments (
        dn_key text PRIMARY KEY,
        department_id uuid NOT NULL CONSTRAINT ldap_departments_department_key UNIQUE
          REFERENCES departments (id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ldap_departments`);
    await q.query(`DROP TABLE ldap_people`);
    await q.query(`DROP TABLE ldap_config`);
  }
}
