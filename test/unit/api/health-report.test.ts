import { toHealthReport } from '../../../api/health/health-report.js';

describe('health report', () => {
  it('When every dependency is up, then the report is the original RosterHub shape with status ok', () => {
    expect(toHealthReport({ database: { status: 'up' }, redis: { status: 'up' } })).toEqual({
      status: 'ok',
      info: { database: { status: 'up' }, redis: { status: 'up' } },
      error: {},
      details: { database: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('When one dependency is down, then status is error and it moves to error', () => {
    const report = toHealthReport({
      database: { status: 'up' },
      redis: { status: 'down', message: 'refused' },
    });
    expect(report.status).toBe('error');
    expect(report.info).toEqual({ database: { status: 'up' } });
    expect(report.error).toEqual({ redis: { status: 'down', message: 'refused' } });
  });
});
