import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/*
 * The directory's tables. People are the server's `users` table, referenced by entity NAME ('UserEntity') so this
 * lib never imports the app. Every index and constraint is named here exactly as in the migration
 * (apps/server/src/database/migrations/*-org-directory.ts): the schema-drift test compares the two.
 */

@Entity({ name: 'departments' })
@Index('departments_path_key', ['path'], { unique: true })
@Index('departments_parent_idx', ['parentId', 'sortOrder'])
@Index('departments_code_key', ['code'], { unique: true, where: 'code IS NOT NULL' })
@Index('departments_hidden_idx', ['path'], { where: 'hidden' })
@Check('departments_depth_check', 'depth BETWEEN 1 AND 25')
export class DepartmentEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'parent_id', nullable: true })
  parentId: string | null;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'departments_parent_id_fkey' })
  parent?: DepartmentEntity;

  /** Materialised path: the ids (32 hex digits) of the ancestors and itself, joined by '.'; collation "C" so
   * `path LIKE 'prefix%'` is an index range scan. */
  @Column({ type: 'text', collation: 'C' })
  path: string;

  @Column('integer')
  depth: number;

  @Column('text')
  name: string;

  @Column('text', { name: 'name_en', nullable: true })
  nameEn: string | null;

  @Column('text', { nullable: true })
  code: string | null;

  @Column('integer', { name: 'sort_order', default: 0 })
  sortOrder: number;

  @Column('uuid', { name: 'head_user_id', nullable: true })
  headUserId: string | null;

  @ManyToOne('UserEntity', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'head_user_id', foreignKeyConstraintName: 'departments_head_user_id_fkey' })
  head?: { id: string };

  @Column('boolean', { default: false })
  hidden: boolean;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}

@Entity({ name: 'department_members' })
@Index('department_members_user_idx', ['userId'])
@Index('department_members_primary_key', ['userId'], { unique: true, where: 'is_primary' })
@Index('department_members_path_idx', ['departmentPath'])
export class DepartmentMemberEntity {
  @PrimaryColumn('uuid', { name: 'department_id', primaryKeyConstraintName: 'department_members_pkey' })
  departmentId: string;

  @PrimaryColumn('uuid', { name: 'user_id', primaryKeyConstraintName: 'department_members_pkey' })
  userId: string;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'department_members_department_id_fkey' })
  department?: DepartmentEntity;

  @ManyToOne('UserEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'department_members_user_id_fkey' })
  user?: { id: string };

  /** The department's path, copied here so "everyone under X" is one range scan on this table. */
  @Column({ type: 'text', name: 'department_path', collation: 'C' })
  departmentPath: string;

  @Column('text', { nullable: true })
  title: string | null;

  @Column('boolean', { name: 'is_primary', default: false })
  isPrimary: boolean;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}

/** Directory facts about a person that the `users` table does not hold: manager and search terms. */
@Entity({ name: 'directory_people' })
@Index('directory_people_manager_idx', ['managerId'])
export class DirectoryPersonEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId: string;

  @ManyToOne('UserEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'directory_people_user_id_fkey' })
  user?: { id: string };

  @Column('uuid', { name: 'manager_id', nullable: true })
  managerId: string | null;

  /** display name, employee number and email as last indexed into search terms; a mismatch means re-index. */
  @Column('text', { name: 'indexed_key', default: '' })
  indexedKey: string;

  @ManyToOne('UserEntity', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'manager_id', foreignKeyConstraintName: 'directory_people_manager_id_fkey' })
  manager?: { id: string };
}

/**
 * Search terms, one row per (person, term): lower-cased name, pinyin (full and initials), employee number and
 * email, each whole (`whole = true`) and as suffixes from each character / syllable (`whole = false`), so that
 * exact, prefix and contains matches are all prefix range scans on one btree index.
 */
@Entity({ name: 'directory_search_terms' })
@Index('directory_search_terms_term_idx', ['term'])
@Index('directory_search_terms_user_idx', ['userId'])
export class DirectorySearchTermEntity {
  @PrimaryColumn('uuid', { name: 'user_id', primaryKeyConstraintName: 'directory_search_terms_pkey' })
  userId: string;

  @PrimaryColumn({ type: 'text', collation: 'C', primaryKeyConstraintName: 'directory_search_terms_pkey' })
  term: string;

  @ManyToOne('UserEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'directory_search_terms_user_id_fkey' })
  user?: { id: string };

  @Column('boolean')
  whole: boolean;
}

@Entity({ name: 'department_groups' })
@Index('department_groups_active_key', ['departmentId'], { unique: true, where: 'archived_at IS NULL' })
export class DepartmentGroupEntity {
  @PrimaryColumn('uuid')
  id: string;

  /** Null once the department of an archived group is deleted (archived groups are kept). */
  @Column('uuid', { name: 'department_id', nullable: true })
  departmentId: string | null;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'department_groups_department_id_fkey' })
  department?: DepartmentEntity;

  @Column('text')
  name: string;

  @Column('boolean', { name: 'include_subdepartments', default: false })
  includeSubdepartments: boolean;

  @Column('timestamptz', { name: 'archived_at', nullable: true })
  archivedAt: Date | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}

@Entity({ name: 'department_group_members' })
@Index('department_group_members_user_idx', ['userId'])
export class DepartmentGroupMemberEntity {
  @PrimaryColumn('uuid', { name: 'group_id', primaryKeyConstraintName: 'department_group_members_pkey' })
  groupId: string;

  @PrimaryColumn('uuid', { name: 'user_id', primaryKeyConstraintName: 'department_group_members_pkey' })
  userId: string;

  @ManyToOne(() => DepartmentGroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'department_group_members_group_id_fkey' })
  group?: DepartmentGroupEntity;

  @ManyToOne('UserEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'department_group_members_user_id_fkey' })
  user?: { id: string };
}

/**
 * Distinct active people in each department's subtree (itself included), kept current by the directory's writes
 * (directory-counts.ts) so the org chart never counts a whole subtree on read. A missing row means 0.
 */
@Entity({ name: 'department_member_counts' })
@Check('department_member_counts_nonnegative', 'recursive_active >= 0')
export class DepartmentMemberCountEntity {
  @PrimaryColumn('uuid', { name: 'department_id' })
  departmentId: string;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'department_member_counts_department_id_fkey' })
  department?: DepartmentEntity;

  @Column('integer', { name: 'recursive_active', default: 0 })
  recursiveActive: number;
}

/** Org-wide directory settings: one row (id = 1). */
@Entity({ name: 'directory_settings' })
@Check('directory_settings_single_row', 'id = 1')
export class DirectorySettingsEntity {
  @PrimaryColumn('smallint')
  id: number;

  @Column('boolean', { name: 'show_contact_info', default: true })
  showContactInfo: boolean;
}

export const ORG_DIRECTORY_ENTITIES = [
  DepartmentEntity,
  DepartmentMemberEntity,
  DepartmentMemberCountEntity,
  DirectoryPersonEntity,
  DirectorySearchTermEntity,
  DepartmentGroupEntity,
  DepartmentGroupMemberEntity,
  DirectorySettingsEntity,
];
