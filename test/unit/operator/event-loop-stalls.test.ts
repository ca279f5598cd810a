import { setTimeout as sleep } from 'node:timers/promises';
import { EventLoopStalls } from '../../../operator/runtime/event-loop-stalls.js';

describe('event loop stalls', () => {
  it('When the event loop is blocked beyond the threshold, then the stall is reported with its length; an idle loop reports nothing', async () => {
    const stalls: number[] = [];
    const watch = new EventLoopStalls(({ maxMs }) => stalls.push(maxMs), { thresholdMs: 300, windowMs: 100 });
    try {
      await sleep(350);
      expect(stalls).toEqual([]);
      const until = performance.now() + 600;
      while (performance.now() < until) {
        // blocked, as by a long synchronous step
      }
      while (stalls.length === 0) await sleep(50);
      expect(stalls[0]).toBeGreaterThanOrEqual(500);
    } finally {
      watch.stop();
    }
  });
});
