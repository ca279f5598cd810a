import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { ApiConnection } from './connection.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A complete answer: status and body text. */
export interface HttpResponse {
  status: number;
  text: string;
}

/** A non-200 answer to a streaming request (a watch): `code` is the HTTP status. */
export class HttpStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpStatusError';
  }
}

/** A stream that delivered nothing for longer than allowed. */
export class InactivityTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

async function open(
  connection: ApiConnection,
  method: HttpMethod,
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<http.ClientRequest> {
  const options = await connection.requestOptions();
  const transport = url.protocol === 'https:' ? https : http;
  return transport.request(url, {
    method,
    agent: options.agent,
    headers: { ...options.headers, ...headers },
    signal,
  });
}

/**
 * One request, its whole answer read; rejects on connection errors, after `timeoutMs`, and when
 * `signal` aborts (the request is then cancelled, not left to finish).
 */
export async function send(
  connection: ApiConnection,
  method: HttpMethod,
  url: URL,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  // Not AbortSignal.timeout(): its timer would keep every finished request (and its answer)
  // reachable until it fires; this one is cleared at the end.
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`${method} ${url.pathname}: no answer in ${timeoutMs} ms`)),
    timeoutMs,
  );
  const cancel = () => abort.abort(signal?.reason);
  if (signal?.aborted) cancel();
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const request = await open(connection, method, url, headers, abort.signal);
    return await new Promise<HttpResponse>((resolve, reject) => {
      request.on('error', reject);
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        response.on('error', reject);
      });
      request.end(body);
    });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
}

/**
 * A streaming GET (a watch): `onLine` gets each line. Resolves when the server ends the
 * stream or `signal` aborts it; rejects on a non-200 answer (HttpStatusError), a broken
 * connection, or `inactivityMs` without a byte (InactivityTimeoutError).
 */
export async function streamLines(
  connection: ApiConnection,
  url: URL,
  onLine: (line: string) => void,
  options: { signal: AbortSignal; inactivityMs: number },
): Promise<void> {
  if (options.signal.aborted) return;
  const abort = new AbortController();
  const stopOnAbort = () => abort.abort();
  options.signal.addEventListener('abort', stopOnAbort);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, options.inactivityMs);
    timer.unref();
  };
  try {
    arm();
    const request = await open(connection, 'GET', url, { accept: 'application/json' }, abort.signal);
    await new Promise<void>((resolve, reject) => {
      const fail = (error: unknown) => {
        if (timedOut) reject(new InactivityTimeoutError(`no data for ${options.inactivityMs} ms`));
        else if (options.signal.aborted) resolve();
        else reject(error instanceof Error ? error : new Error(String(error)));
      };
      request.on('error', fail);
      request.on('response', (response) => {
        if (response.statusCode !== 200) {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            reject(
              new HttpStatusError(
                response.statusCode ?? 0,
                `GET ${url.pathname}: ${response.statusCode} ${text}`,
              ),
            ),
          );
          return;
        }
        arm();
        response.on('data', arm);
        response.on('error', fail);
        const lines = createInterface({ input: response, crlfDelay: Infinity });
        // readline re-emits the input's errors; unheard, they would be thrown.
        lines.on('error', fail);
        lines.on('line', (line) => {
          if (line !== '') onLine(line);
        });
        lines.on('close', () => (timedOut ? fail(new Error('timed out')) : resolve()));
      });
      request.end();
    });
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', stopOnAbort);
  }
}
