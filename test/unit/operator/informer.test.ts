import { DeflatedJson } from '../../../operator/runtime/deflated-json.js';
import { Informer, type WatchFunction } from '../../../operator/runtime/informer.js';

interface Item {
  metadata: { name: string; namespace: string; resourceVersion: string };
}

/** A watch that the API server ends at once with 410 Gone (its watch cache keeps expiring). */
const alwaysExpired: WatchFunction = (_path, _query, onEvent) => {
  onEvent('ERROR', { code: 410 });
  return Promise.resolve();
};

describe('Informer', () => {
  it('When the watch expires again and again, then relists back off (1 s doubling, at most 30 s) instead of running in a loop', async () => {
    const pauses: number[] = [];
    let lists = 0;
    const informer = new Informer<Item>(alwaysExpired, {
      resource: 'configmaps',
      path: '/api/v1/configmaps',
      list: () => {
        lists += 1;
        return Promise.resolve({ items: [], metadata: { resourceVersion: String(lists) } });
      },
      handlers: {},
      pause: (ms) => {
        pauses.push(ms);
        if (pauses.length >= 7) void informer.stop();
        return Promise.resolve();
      },
    });
    informer.start();
    await informer.synced;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await informer.stop();
    expect(pauses).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(lists).toBe(7);
  });

  it('When the first list fails, then it is not synced, says why, and how long it has tried', async () => {
    const informer = new Informer<Item>(alwaysExpired, {
      resource: 'poddisruptionbudgets',
      path: '/apis/policy/v1/poddisruptionbudgets',
      list: () => Promise.reject(new Error('403 poddisruptionbudgets.policy is forbidden')),
      handlers: {},
      pause: () => new Promise((resolve) => setTimeout(resolve, 5)),
    });
    expect(informer.unsyncedForMs()).toBe(0);
    informer.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(informer.hasSynced).toBe(false);
    expect(informer.unsyncedForMs()).toBeGreaterThan(0);
    expect((informer.lastError as Error).message).toContain('forbidden');
    await informer.stop();
  });

  it('When objects are indexed and kept deflated, then byIndex follows adds, moves and deletes, and reads are copies', async () => {
    interface Labelled extends Item {
      metadata: Item['metadata'] & { labels: { instance: string } };
    }
    const item = (name: string, instance: string, resourceVersion: string): Labelled => ({
      metadata: { name, namespace: 'a', resourceVersion, labels: { instance } },
    });
    let emit: ((type: string, object: unknown) => void) | undefined;
    let release: (() => void) | undefined;
    const watch: WatchFunction = (_path, _query, onEvent) => {
      emit = onEvent;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const updates: [string, string][] = [];
    const informer = new Informer<Labelled>(watch, {
      resource: 'configmaps',
      path: '/api/v1/configmaps',
      indexBy: (object) => object.metadata.labels.instance,
      codec: new DeflatedJson('{"metadata":{"name":"","namespace":"a","labels":{"instance":""}}}'),
      list: () =>
        Promise.resolve({
          items: [item('one', 'x', '1'), item('two', 'x', '2'), item('three', 'y', '3')],
          metadata: { resourceVersion: '3' },
        }),
      handlers: {
        updated: (object, previous) =>
          updates.push([previous.metadata.labels.instance, object.metadata.labels.instance]),
      },
      pause: () => new Promise((resolve) => setTimeout(resolve, 5)),
    });
    informer.start();
    await informer.synced;
    const names = (value: string) =>
      informer
        .byIndex(value)
        .map((object) => object.metadata.name)
        .sort();
    expect(names('x')).toEqual(['one', 'two']);
    expect(names('y')).toEqual(['three']);

    while (!emit) await new Promise((resolve) => setTimeout(resolve, 1));
    emit('MODIFIED', item('two', 'y', '4'));
    emit('DELETED', item('one', 'x', '5'));
    expect(names('x')).toEqual([]);
    expect(names('y')).toEqual(['three', 'two']);
    expect(updates).toEqual([['x', 'y']]);

    const read = informer.get('a', 'two')!;
    read.metadata.labels.instance = 'changed by a reader';
    expect(informer.get('a', 'two')?.metadata.labels.instance).toBe('y');
    release?.();
    await informer.stop();
  });
});
