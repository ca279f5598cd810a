import { CredentialsRepository } from '../../../api/data/credentials-repository.js';
import { loadDistrict } from '../../../api/data/bulk-loader.js';
import { SIZES, generateDistrict, type GeneratedDistrict } from '../../../api/generator/district.js';
import { CredentialAdmin } from '../../../api/services/credential-admin.js';
import { ROSTERING_BASE } from '../../../api/services/endpoints.js';
import { startApi, type ApiUnderTest } from '../../helpers/api-under-test.js';
import { requiredEnv } from '../../helpers/env.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/** A running API on its own database, loaded with the small generated district (seed 1). */
export interface RosterFixture {
  readonly under: ApiUnderTest;
  readonly database: TestDatabase;
  readonly district: GeneratedDistrict;
  readonly admin: CredentialAdmin;
  /** An API key with all three scopes. */
  readonly key: string;
  close(): Promise<void>;
}

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

export const ALL_SCOPES = 'roster.readonly roster-core.readonly roster-demographics.readonly';

/** Starts the API (migrating an empty database), loads the district and makes an all-scopes key. */
export async function startRosterFixture(
  env: Record<string, string> = {},
  district: GeneratedDistrict = generateDistrict(SIZES.small, 1),
): Promise<RosterFixture> {
  const database = await createTestDatabase();
  const under = await startApi({
    DATABASE_URL: database.url,
    REDIS_URL: requiredEnv('REDIS_URL'),
    PUBLIC_BASE_URL: 'https://roster.example.org',
    ...env,
  });
  await loadDistrict(database.url, district);
  await under.api.oneRoster.dataVersion.refresh();
  const admin = new CredentialAdmin(new CredentialsRepository(under.api.database.orm));
  const { key } = await admin.createKey('fixture', ALL_SCOPES);
  return {
    under,
    database,
    district,
    admin,
    key,
    close: async () => {
      await under.api.shutdown();
      await database.drop();
    },
  };
}

/** GET under the rostering base (or an absolute path starting with `//`), with a bearer credential. */
export async function get(
  fixture: RosterFixture,
  path: string,
  credential: string | null = fixture.key,
): Promise<Answer> {
  const url = path.startsWith('//')
    ? `${fixture.under.baseUrl}${path.slice(1)}`
    : `${fixture.under.baseUrl}${ROSTERING_BASE}${path}`;
  const response = await fetch(url, {
    headers: credential === null ? {} : { authorization: `Bearer ${credential}` },
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** POST /oauth/token with HTTP Basic client credentials: the status and the access token (if any). */
export async function tokenFor(
  fixture: RosterFixture,
  clientId: string,
  clientSecret: string,
): Promise<{ status: number; token: string }> {
  const response = await fetch(`${fixture.under.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await response.json()) as { access_token?: string };
  return { status: response.status, token: body.access_token ?? '' };
}

/** The OneRoster error payload for a codeMinor. */
export function imsxError(
  codeMinor: string,
  description: unknown = expect.any(String),
): Record<string, unknown> {
  return {
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: description,
    imsx_CodeMinor: {
      imsx_codeMinorField: [
        { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor },
      ],
    },
  };
}

export const HREF = 'https://roster.example.org/ims/oneroster/rostering/v1p2';

/** A GUIDRef as the API must write it. */
export function guidRef(type: string, collection: string, sourcedId: string): Record<string, string> {
  return { href: `${HREF}/${collection}/${sourcedId}`, sourcedId, type };
}
