import { ApiException, type V1Status } from '@kubernetes/client-node';

/** The HTTP status and the API server's Status body of a call that must fail. */
export interface ApiFailure {
  code: number;
  status: V1Status;
}

/** Awaits a client-node call that must fail with an ApiException; throws when it succeeds or fails otherwise. */
export async function apiFailure(call: Promise<unknown>): Promise<ApiFailure> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    let status: V1Status = {};
    if (typeof error.body === 'string') {
      try {
        status = JSON.parse(error.body) as V1Status;
      } catch {
        status = { message: error.body };
      }
    }
    return { code: error.code, status };
  }
  throw new Error('the call succeeded, but it was expected to fail');
}

/** True when `error` is an ApiException with HTTP status 404. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}
