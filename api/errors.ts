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
