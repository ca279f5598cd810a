import { parseArgs } from 'node:util';
import { ROSTERING_BASE } from '../api/services/endpoints.js';
import { UsageError } from './command-errors.js';
import { withDatabase } from './database-command.js';
import { DEMO_SCOPES, setUpDemo, type DemoCredentials } from './demo-setup.js';
import { checkoutLocalDir } from './local-services.js';

const USAGE = 'usage: rosterhub demo [--api-url URL]';

/** A value inside single quotes for a POSIX shell. */
const quoted = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** Copy-paste commands that return users and import a package, with these credentials. */
export function demoInstructions(apiUrl: string, credentials: DemoCredentials): string {
  const token =
    `TOKEN=$(curl -s -u ${quoted(`${credentials.clientId}:${credentials.clientSecret}`)} ` +
    `-d grant_type=client_credentials -d ${quoted(`scope=${DEMO_SCOPES}`)} ${apiUrl}/oauth/token ` +
    `| node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')`;
  const users = `curl -s -H "Authorization: Bearer $TOKEN" ${quoted(`${apiUrl}${ROSTERING_BASE}/users?limit=2`)}`;
  const admin = `-H ${quoted(`x-api-key: ${credentials.adminKey}`)}`;
  return [
    `Ask for a token and read two users (in another terminal, once the API listens on ${apiUrl}):`,
    `  ${token}`,
    `  ${users}`,
    'Import a package (another generated district here), then ask for users again:',
    '  npx rosterhub generate --size small --seed 2 --out /tmp/district-2',
    '  npx rosterhub import /tmp/district-2',
    'A zip goes through the API as district staff send it (any OneRoster 1.2 CSV package):',
    `  curl -s ${admin} -F package=@FILE.zip ${apiUrl}/rosterhub/v1/imports`,
  ].join('\n');
}

/**
 * `rosterhub demo [--api-url URL]`: on an empty database, loads a small generated district and
 * creates a demo client and admin key; then (or when an earlier run's credentials still work)
 * prints commands that use them. A database that already holds data is never changed.
 */
export async function runDemoCommand(args: string[]): Promise<number> {
  return withDatabase('demo', async (database, { databaseUrl }) => {
    let parsed;
    try {
      parsed = parseArgs({ args, options: { 'api-url': { type: 'string' } } });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n${USAGE}`);
    }
    const apiUrl = (parsed.values['api-url'] ?? `http://127.0.0.1:${process.env.PORT ?? '3000'}`).replace(
      /\/+$/,
      '',
    );
    const setup = await setUpDemo(database, databaseUrl, checkoutLocalDir(process.env), (message) =>
      process.stderr.write(`demo: ${message}\n`),
    );
    const out = (text: string) => process.stdout.write(`${text}\n`);
    switch (setup.outcome) {
      case 'created': {
        const users = setup.rows.users ?? 0;
        out(`demo: the database was empty; loaded a generated district (${users} users) and created a`);
        out(
          `demo client (${setup.credentials.clientId}) and an admin key, kept in .local/demo-credentials.json`,
        );
        out(demoInstructions(apiUrl, setup.credentials));
        break;
      }
      case 'kept':
        out('demo: the database holds data; nothing was changed. The demo credentials still work:');
        out(demoInstructions(apiUrl, setup.credentials));
        break;
      case 'untouched':
        out('demo: the database already holds data; nothing was changed. A client of your own:');
        out(`  npx rosterhub clients create --name NAME --scopes ${quoted(DEMO_SCOPES)}`);
        break;
    }
    return 0;
  });
}
