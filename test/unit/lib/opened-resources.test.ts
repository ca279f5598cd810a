import { OpenedResources } from '../../../lib/process/opened-resources.js';
import { memoryLogger } from '../../helpers/memory-logger.js';

describe('what a process opened', () => {
  it('When it closes, then the last opened closes first, a step that fails is logged by name and the rest still close, once', async () => {
    const { logger, lines } = memoryLogger();
    const opened = new OpenedResources(logger);
    const closed: string[] = [];
    opened.add('database', 'db', (name) => void closed.push(name));
    opened.add('cache', 'cache', () => Promise.reject(new Error('connection reset')));
    opened.add('server', 'server', async (name) => {
      await Promise.resolve();
      closed.push(name);
    });

    expect(await Promise.all([opened.closeAll(), opened.closeAll()])).toEqual([false, false]);
    expect(closed).toEqual(['server', 'db']);
    const warning = lines().find((line) => line.level === 'warn');
    expect(warning).toMatchObject({ message: 'cannot close cache cleanly' });
    expect(JSON.stringify(warning)).toContain('connection reset');
  });

  it('When every step closes, then closing reports clean', async () => {
    const opened = new OpenedResources(memoryLogger().logger);
    const value = opened.add('timer', 42, () => undefined);
    expect(value).toBe(42);
    expect(await opened.closeAll()).toBe(true);
  });
});
