/**
 * Typed errors with a stable code, the HTTP status they map to, and the OneRoster codeMinor
 * value. Routes throw or `next()` them; one middleware turns them into response bodies.
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly httpStatus: number,
    readonly codeMinor: string,
    readonly isCatastrophic = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** Response headers the error requires (WWW-Authenticate, Retry-After). */
  headers(): Record<string, string> {
    return {};
  }

  /** The response body: the OneRoster `imsx_StatusInfo` payload. */
  body(): Record<string, unknown> {
    return imsxStatusInfo(this.message, this.codeMinor);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(message, 'NOT_FOUND', 404, 'unknownobject');
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, codeMinor = 'invaliddata') {
    super(message, 'BAD_REQUEST', 400, codeMinor);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message: string) {
    super(message, 'SERVICE_UNAVAILABLE', 503, 'server_busy');
  }
}

/** No credentials, or credentials that are unknown, revoked or expired. */
export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(message, 'UNAUTHORIZED', 401, 'unauthorisedrequest');
  }

  override headers(): Record<string, string> {
    return { 'WWW-Authenticate': 'Bearer realm="rosterhub"' };
  }
}

/** Valid credentials without a scope the endpoint requires. */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(message, 'FORBIDDEN', 403, 'forbidden');
  }

  override headers(): Record<string, string> {
    return { 'WWW-Authenticate': 'Bearer realm="rosterhub", error="insufficient_scope"' };
  }
}

/** The client is over its rate limit. */
export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, 'TOO_MANY_REQUESTS', 429, 'server_busy');
  }

  override headers(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}

/** An error of the OAuth 2.0 token endpoint; written as RFC 6749 §5.2 `{error, error_description}`. */
export class OAuthError extends AppError {
  constructor(
    readonly oauthCode: 'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type',
    message: string,
    httpStatus = 400,
  ) {
    super(
      message,
      `OAUTH_${oauthCode.toUpperCase()}`,
      httpStatus,
      oauthCode === 'invalid_client' ? 'unauthorisedrequest' : 'invaliddata',
    );
  }

  override headers(): Record<string, string> {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (this.httpStatus === 401) headers['WWW-Authenticate'] = 'Basic realm="rosterhub"';
    return headers;
  }

  override body(): Record<string, string> {
    return { error: this.oauthCode, error_description: this.message };
  }
}

/** The OneRoster 1.2 `imsx_StatusInfo` error payload. */
export function imsxStatusInfo(description: string, codeMinor: string): Record<string, unknown> {
  return {
    imsx_codeMajor: 'failure',
    imsx_severity: 'error',
    imsx_description: description,
    imsx_CodeMinor: {
      imsx_codeMinorField: [
        { imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: codeMinor },
      ],
    },
  };
}
