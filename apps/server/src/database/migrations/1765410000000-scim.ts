import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM 2.0 provisioning (issue 11). People and departments stay in `users` and `departments`; these tables keep only
 * what SCIM carries that Miyu does not: the identity provider's `externalId`, the parts of `name`, the `type` of the email and phone kept, the `title` and
 * enterprise `department` strings as sent. A row exists once SCIM has written the resource.
 */
export class Scim1765410000000 implements MigrationInterface {
  name = 'Scim1765410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scim_users (
        user_id uuid PRIMARY KEY CONSTRAINT scim_users_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
        external_id text,
        given_name text,
        family_name text,
        email_type text,
        phone_type text,
        title text,
        department text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX scim_users_external_id_idx ON scim_users (external_id) WHERE external_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE scim_groups (
        department_id uuid PRIMARY KEY
          CONSTRAINT scim_groups_department_id_fkey REFERENCES departments (id) ON DELETE CASCADE,
        external_id text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX scim_groups_external_id_idx ON scim_groups (external_id) WHERE external_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scim_groups`);
    await q.query(`DROP TABLE scim_users`);
  }
}
