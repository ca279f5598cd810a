import { startApi, type ApiUnderTest } from '../../helpers/api-under-test.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { requiredEnv } from '../../helpers/env.js';

let database: TestDatabase;
let under: ApiUnderTest;

beforeAll(async () => {
  database = await createTestDatabase();
  under = await startApi({ DATABASE_URL: database.url, REDIS_URL: requiredEnv('REDIS_URL') });
});

afterAll(async () => {
  await under.api.shutdown();
  await database.drop();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${under.healthUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/plain/);
  return response.text();
}

describe('/metrics', () => {
  it('When requests were served, then they are counted by route template and status, never by raw path', async () => {
    await (await fetch(`${under.baseUrl}/openapi.json`)).arrayBuffer();
    await fetch(`${under.baseUrl}/no/such/path/12345`);
    const text = await scrape();
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/openapi.json",status_code="200"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status_code="404"\} 1$/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/openapi.json",status_code="200"\} 1$/m,
    );
    expect(text).not.toContain('12345');
  });

  it('When the probes, /health or /metrics are asked for on the public port, then they are not there; on the management port they answer and are not counted as API traffic', async () => {
    for (const path of ['/healthz', '/readyz', '/health', '/metrics']) {
      expect({ path, status: (await fetch(`${under.baseUrl}${path}`)).status }).toEqual({
        path,
        status: 404,
      });
      const managed = await fetch(`${under.healthUrl}${path}`);
      await managed.arrayBuffer();
      expect({ path, status: managed.status }).toEqual({ path, status: 200 });
    }
    const text = await scrape();
    expect(text).not.toMatch(/route="\/(healthz|readyz|health|metrics)"/);
  });

  it('When Redis was pinged, then redis_operations_total counts it by operation and status', async () => {
    await fetch(`${under.healthUrl}/health`);
    expect(await scrape()).toMatch(/^redis_operations_total\{operation="ping",status="ok"\} [1-9]\d*$/m);
  });

  it('When scraped, then the database pool gauge and the default process metrics are there', async () => {
    const text = await scrape();
    expect(text).toMatch(/^db_connections_active \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('When a request carries X-Request-Id, then it is echoed and logged with route, status and duration', async () => {
    const response = await fetch(`${under.baseUrl}/openapi.json`, {
      headers: { 'x-request-id': 'trace-abcdef12' },
    });
    await response.arrayBuffer();
    expect(response.headers.get('x-request-id')).toBe('trace-abcdef12');
    const line = under.logLines().find((entry) => entry.requestId === 'trace-abcdef12');
    expect(line).toMatchObject({ level: 'info', route: '/openapi.json', statusCode: 200, method: 'GET' });
    expect(typeof line?.duration).toBe('number');
  });

  it('When a request has no usable X-Request-Id, then one is generated', async () => {
    const response = await fetch(`${under.baseUrl}/openapi.json`, {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    await response.arrayBuffer();
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('When a path does not exist, then the answer is a OneRoster error payload', async () => {
    const response = await fetch(`${under.baseUrl}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldValue: 'unknownobject' }] },
    });
  });
});
