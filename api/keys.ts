/**
 * Every Redis key the API uses comes from here, so that the key space can be read in one place.
 * Cached answers carry the data version: an import bumps it and every earlier entry is simply
 * never read again (and expires).
 */
export const redisKeys = {
  /** A cached response body (and total) for a request fingerprint. */
  response: (dataVersion: string, fingerprint: string): string => `rh:resp:${dataVersion}:${fingerprint}`,
  /** Bytes of answers the response cache wrote in one minute (its budget's buckets). */
  responseBytes: (minute: number): string => `rh:resp-bytes:${minute}`,
  /** The row count of a collection's row set. */
  count: (dataVersion: string, shape: string): string => `rh:count:${dataVersion}:${shape}`,
  /** The page boundary keys of a collection's row set in one sort order. */
  pageBoundaries: (dataVersion: string, shape: string): string => `rh:pages:${dataVersion}:${shape}`,
  /** An OAuth access token of a database (its epoch), by the SHA-256 of the token. */
  accessToken: (namespace: string, tokenHash: string): string => `rh:token:${namespace}:${tokenHash}`,
  /** A client's request counter for one rate-limit window. */
  rateLimit: (namespace: string, clientId: string, window: number): string =>
    `rh:rl:${namespace}:${clientId}:${window}`,
  /** The leases of the exports running now, across Pods. */
  exportSlots: (): string => 'rh:export-slots',
};
