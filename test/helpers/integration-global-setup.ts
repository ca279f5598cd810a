/** The integration project needs the real services that `make test` starts. */
export default function integrationGlobalSetup(): void {
  const missing = ['DATABASE_URL', 'REDIS_URL'].filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `integration tests need ${missing.join(' and ')}: run them through 'make test' or 'make test-integration', ` +
        'which start PostgreSQL and Redis and export both',
    );
  }
}
