import { Controller, type ControllerObserver } from '../../../operator/runtime/controller.js';
import { defaultControllerRateLimiter } from '../../../operator/runtime/rate-limiter.js';
import { WorkQueue } from '../../../operator/runtime/work-queue.js';

const quiet: ControllerObserver = {
  reconciled: () => undefined,
  activeWorkers: () => undefined,
  failed: () => undefined,
};

describe('Controller.stop', () => {
  it('When stopping, then no new key is handed out and the reconcile in progress finishes', async () => {
    const queue = new WorkQueue(defaultControllerRateLimiter());
    const started: string[] = [];
    let finish!: () => void;
    const controller = new Controller(
      'test',
      queue,
      (key) => {
        started.push(key);
        return new Promise((resolve) => (finish = () => resolve({})));
      },
      quiet,
      1,
    );
    controller.start();
    queue.add('a');
    await new Promise((resolve) => setTimeout(resolve, 10));
    queue.add('b');
    const stopping = controller.stop(60_000);
    finish();
    expect(await stopping).toBe(true);
    expect(started).toEqual(['a']);
  });

  it('When a reconcile hangs past the deadline, then stop returns false at the deadline instead of waiting forever', async () => {
    const queue = new WorkQueue(defaultControllerRateLimiter());
    const controller = new Controller('test', queue, () => new Promise(() => undefined), quiet, 1);
    controller.start();
    queue.add('stuck');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await controller.stop(50)).toBe(false);
  });
});
