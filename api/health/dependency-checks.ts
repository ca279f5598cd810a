/** Checks of the API's dependencies, each bounded by a timeout. */

export interface DependencyStatus {
  status: 'up' | 'down';
  message?: string;
}

export type DependencyCheck = () => Promise<void>;

export type DependencyStatuses = Record<string, DependencyStatus>;

function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

export async function checkDependencies(
  checks: Record<string, DependencyCheck>,
  timeoutMs: number,
): Promise<DependencyStatuses> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, DependencyStatus]> => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, { status: 'up' }];
      } catch (error) {
        return [name, { status: 'down', message: (error as Error).message }];
      }
    }),
  );
  return Object.fromEntries(entries);
}
