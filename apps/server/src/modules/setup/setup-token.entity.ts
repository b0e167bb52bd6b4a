import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One-time first-run setup tokens (SHA-256), valid while no admin exists. Each server process adds its own. */
@Entity({ name: 'setup_tokens' })
export class SetupTokenEntity {
  @PrimaryColumn('bytea', { name: 'token_hash' })
  tokenHash: Buffer;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;
}
