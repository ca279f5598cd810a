import { runWithLogContext } from '../../../lib/logging/context.js';
import { memoryLogger } from '../../helpers/memory-logger.js';

describe('JSON logger', () => {
  it('When logging inside a request context, then each line is JSON with timestamp, level, request id and service', () => {
    const { logger, lines } = memoryLogger();
    runWithLogContext({ requestId: 'req-12345678' }, () => {
      logger.info('GET /users 200', { route: '/users', statusCode: 200, duration: 4.2 });
    });
    const [line] = lines();
    expect(line).toMatchObject({
      level: 'info',
      message: 'GET /users 200',
      requestId: 'req-12345678',
      route: '/users',
      statusCode: 200,
      duration: 4.2,
      service: 'test',
    });
    expect(typeof line?.timestamp).toBe('string');
  });

  it('When a message or field carries an API key or password, then the line has it masked', () => {
    const { logger, lines } = memoryLogger();
    logger.warn('rejected key rh_live_AbC123_deadbeef', {
      apiKey: 'rh_live_AbC123_deadbeef',
      databaseUrl: 'postgres://u:pw@h/db',
    });
    const [line] = lines();
    expect(line?.message).toBe('rejected key rh_live_*****');
    expect(line?.apiKey).toBe('rh_live_*****');
    expect(line?.databaseUrl).toBe('postgres://u:*****@h/db');
    expect(JSON.stringify(line)).not.toContain('deadbeef');
  });

  it('When a field holds a value JSON cannot write (a BigInt), then the line is still written, with the value as text', () => {
    const { logger, lines } = memoryLogger();
    logger.info('rows counted', { rows: 12n, table: 'users' });
    expect(lines()[0]).toMatchObject({ message: 'rows counted', rows: '12', table: 'users' });
  });

  it('When a message names a bearer token or basic credentials in any case, then the line has them masked', () => {
    const { logger, lines } = memoryLogger();
    logger.warn('header was bearer abc.def-ghi and BASIC dXNlcjpwdw==');
    expect(lines()[0]?.message).toBe('header was bearer ***** and BASIC *****');
  });
});
