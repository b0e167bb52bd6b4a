import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sensitive-word policy (issue 8): editable rules and whitelist, published versions whose documents the server
 * signs (Ed25519, key in signing_keys), and the content-free hit log clients and the server file. A hit keeps the
 * rule's pattern and the person's primary department as they were, so statistics survive later edits. Old
 * versions keep their hash and signature; only the newest versions keep their whole document (payload).
 */
export class WordPolicy1765100000000 implements MigrationInterface {
  name = 'WordPolicy1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signing_keys (
        purpose text PRIMARY KEY,
        public_key bytea NOT NULL,
        secret_seed bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT signing_keys_purpose_check CHECK (purpose IN ('word-policy')),
        CONSTRAINT signing_keys_lengths_check CHECK (octet_length(public_key) = 32 AND octet_length(secret_seed) = 32)
      )`);
    await q.query(`
      CREATE TABLE filter_rules (
        id uuid PRIMARY KEY,
        type text NOT NULL,
        pattern text NOT NULL,
        match_key text COLLATE "C" NOT NULL,
        validator text NOT NULL DEFAULT 'none',
        category text NOT NULL,
        action text NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT filter_rules_type_check CHECK (type IN ('word', 'pattern')),
        CONSTRAINT filter_rules_pattern_check CHECK (char_length(pattern) BETWEEN 1 AND 500),
        CONSTRAINT filter_rules_validator_check CHECK (validator IN ('none', 'luhn', 'cn-id-card')),
        CONSTRAINT filter_rules_category_check CHECK (char_length(category) BETWEEN 1 AND 40),
        CONSTRAINT filter_rules_action_check CHECK (action IN ('block', 'warn', 'mask', 'flag')),
        CONSTRAINT filter_rules_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
      )`);
    // One rule per normalised word; the console lists rules by that key, optionally within a category.
    await q.query(`CREATE UNIQUE INDEX filter_rules_match_key_idx ON filter_rules (type, match_key)`);
    await q.query(`CREATE INDEX filter_rules_category_idx ON filter_rules (category, match_key)`);
    await q.query(`
      CREATE TABLE filter_whitelist (
        id uuid PRIMARY KEY,
        phrase text NOT NULL,
        match_key text COLLATE "C" NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT filter_whitelist_phrase_check CHECK (char_length(phrase) BETWEEN 1 AND 64)
      )`);
    await q.query(`CREATE UNIQUE INDEX filter_whitelist_match_key_idx ON filter_whitelist (match_key)`);
    await q.query(`
      CREATE TABLE filter_settings (
        id smallint PRIMARY KEY,
        fold_traditional boolean NOT NULL DEFAULT true,
        skip_separators boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT filter_settings_single_row CHECK (id = 1)
      )`);
    await q.query(`INSERT INTO filter_settings (id) VALUES (1)`);
    await q.query(`
      CREATE TABLE filter_policy_versions (
        version integer PRIMARY KEY,
        payload text,
        payload_sha256 bytea NOT NULL,
        signature bytea NOT NULL,
        rule_count integer NOT NULL,
        whitelist_count integer NOT NULL,
        published_by uuid,
        published_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT filter_policy_versions_version_check CHECK (version >= 1),
        CONSTRAINT filter_policy_versions_published_by_fkey FOREIGN KEY (published_by) REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`
      CREATE TABLE filter_hits (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        user_id uuid,
        device_id uuid,
        department_id uuid,
        rule_id uuid,
        rule_pattern text NOT NULL,
        category text NOT NULL,
        action text NOT NULL,
        source text NOT NULL,
        conversation_id uuid,
        client_msg_id uuid,
        policy_version integer NOT NULL,
        CONSTRAINT filter_hits_action_check CHECK (action IN ('block', 'warn', 'mask', 'flag')),
        CONSTRAINT filter_hits_source_check CHECK (source IN ('message', 'display_name', 'group_name', 'group_topic', 'department_name')),
        CONSTRAINT filter_hits_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT filter_hits_rule_id_fkey FOREIGN KEY (rule_id) REFERENCES filter_rules (id) ON DELETE SET NULL
      )`);
    // The hit log reads newest first within a time range; a retried send files its hit once.
    await q.query(`CREATE INDEX filter_hits_time_idx ON filter_hits (occurred_at DESC, id DESC)`);
    await q.query(
      `CREATE UNIQUE INDEX filter_hits_once_idx ON filter_hits (user_id, client_msg_id, rule_id) WHERE client_msg_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE filter_hits`);
    await q.query(`DROP TABLE filter_policy_versions`);
    await q.query(`DROP TABLE filter_settings`);
    await q.query(`DROP TABLE filter_whitelist`);
    await q.query(`DROP TABLE filter_rules`);
    await q.query(`DROP TABLE signing_keys`);
  }
}
