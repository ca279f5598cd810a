import { Migration } from '@mikro-orm/migrations';

/**
 * The OneRoster 1.2 rostering tables. References are stored as the referenced object's
 * sourcedId (no foreign keys: delta imports and tombstones may name objects in any order, and
 * the bulk loader streams with COPY). Text keys use the "C" collation so that index order is
 * byte order, which keyset paging relies on.
 */
export class Migration0002Rostering extends Migration {
  override name = '0002-rostering';

  override up(): void {
    // A random identity of this database, prefixed to the data version: caches and tokens in a
    // Redis shared by several databases (districts, test files) never mix.
    this.addSql(
      `alter table rosterhub_data_version add column epoch text not null default md5(random()::text || clock_timestamp()::text)`,
    );
    const common = `
      sourced_id text collate "C" primary key,
      status text not null default 'active' check (status in ('active', 'tobedeleted')),
      date_last_modified timestamptz not null default now(),
      metadata jsonb`;
    const ref = (name: string, notNull = false): string =>
      `${name} text collate "C"${notNull ? ' not null' : ''}`;
    this.addSql(`create table orgs (${common},
      name text not null,
      type text not null,
      identifier text,
      ${ref('parent_sourced_id')}
    )`);
    this.addSql(`create table academic_sessions (${common},
      title text not null,
      type text not null,
      start_date date not null,
      end_date date not null,
      ${ref('parent_sourced_id')},
      school_year text not null
    )`);
    this.addSql(`create table courses (${common},
      title text not null,
      course_code text,
      ${ref('school_year_sourced_id')},
      grades text[],
      subjects text[],
      subject_codes text[],
      ${ref('org_sourced_id')},
      resource_sourced_ids text[] collate "C"
    )`);
    this.addSql(`create table classes (${common},
      title text not null,
      class_code text,
      class_type text,
      location text,
      grades text[],
      subjects text[],
      subject_codes text[],
      periods text[],
      ${ref('course_sourced_id', true)},
      ${ref('school_sourced_id', true)},
      term_sourced_ids text[] collate "C" not null,
      resource_sourced_ids text[] collate "C"
    )`);
    this.addSql(`create table users (${common},
      enabled_user boolean not null default true,
      username text,
      user_ids jsonb,
      given_name text not null,
      family_name text not null,
      middle_name text,
      preferred_first_name text,
      preferred_middle_name text,
      preferred_last_name text,
      pronouns text,
      identifier text,
      email text,
      sms text,
      phone text,
      user_master_identifier text,
      ${ref('primary_org_sourced_id')},
      agent_sourced_ids text[] collate "C",
      grades text[],
      roles jsonb not null default '[]',
      user_profiles jsonb,
      resource_sourced_ids text[] collate "C"
    )`);
    this.addSql(`create table enrollments (${common},
      ${ref('class_sourced_id', true)},
      ${ref('school_sourced_id', true)},
      ${ref('user_sourced_id', true)},
      role text not null,
      "primary" boolean,
      begin_date date,
      end_date date
    )`);
    this.addSql(`create table demographics (${common},
      birth_date date,
      sex text,
      american_indian_or_alaska_native boolean,
      asian boolean,
      black_or_african_american boolean,
      native_hawaiian_or_other_pacific_islander boolean,
      white boolean,
      demographic_race_two_or_more_races boolean,
      hispanic_or_latino_ethnicity boolean,
      country_of_birth_code text,
      state_of_birth_abbreviation text,
      city_of_birth text,
      public_school_residence_status text
    )`);
    for (const table of [
      'orgs',
      'academic_sessions',
      'courses',
      'classes',
      'users',
      'enrollments',
      'demographics',
    ]) {
      // delta queries: dateLastModified>'…' (and their sort by sourcedId)
      this.addSql(`create index ${table}_date_last_modified on ${table} (date_last_modified, sourced_id)`);
    }
    this.addSql('create index orgs_type on orgs (type, sourced_id)');
    this.addSql('create index orgs_parent on orgs (parent_sourced_id)');
    this.addSql('create index academic_sessions_type on academic_sessions (type, sourced_id)');
    this.addSql('create index academic_sessions_parent on academic_sessions (parent_sourced_id)');
    this.addSql('create index courses_org on courses (org_sourced_id, sourced_id)');
    this.addSql('create index classes_course on classes (course_sourced_id, sourced_id)');
    this.addSql('create index classes_school on classes (school_sourced_id, sourced_id)');
    this.addSql('create index classes_terms on classes using gin (term_sourced_ids)');
    this.addSql('create index users_roles on users using gin (roles jsonb_path_ops)');
    this.addSql('create index users_email on users (email)');
    this.addSql('create index users_username on users (username)');
    this.addSql('create index users_family_name on users (family_name, sourced_id)');
    this.addSql('create index users_primary_org on users (primary_org_sourced_id)');
    this.addSql('create index enrollments_class on enrollments (class_sourced_id, role)');
    this.addSql('create index enrollments_user on enrollments (user_sourced_id)');
    this.addSql('create index enrollments_school on enrollments (school_sourced_id, sourced_id)');
  }

  override down(): void {
    this.addSql('drop table demographics, enrollments, users, classes, courses, academic_sessions, orgs');
  }
}
