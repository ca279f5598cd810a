import { createServer } from 'node:http';
import pg from 'pg';

/**
 * The benchmark's baseline: a minimal node:http server with a pg pool that answers
 * `GET /users?limit=100` with exactly the SQL the API sends for that page (passed in BENCH_SQL),
 * wrapping the JSON text PostgreSQL returns. No routing, auth, cache or logging.
 */
const sql = process.env.BENCH_SQL ?? '';
const values = JSON.parse(process.env.BENCH_VALUES ?? '[]') as unknown[];
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_MAX ?? 10),
});

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.end('ok');
    return;
  }
  pool.query<{ body: string }>(sql, values).then(
    (result) => {
      res.setHeader('content-type', 'application/json');
      res.end(`{"users":${result.rows[0]?.body ?? '[]'}}`);
    },
    (error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end();
});
