import winston from 'winston';
import { currentLogContext } from './context.js';
import { redact } from './redact.js';

export type LogFormat = 'json' | 'pretty';
export type Logger = winston.Logger;

export interface LoggerOptions {
  service: string;
  version: string;
  level: string;
  format: LogFormat;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  stream?: NodeJS.WritableStream;
}

/** Adds the request/job context and masks secrets in every field except the level. */
const contextAndRedaction = winston.format((info) => {
  const context = currentLogContext();
  if (context) {
    for (const [key, value] of Object.entries(context)) {
      if (value !== undefined && info[key] === undefined) info[key] = value;
    }
  }
  for (const key of Object.keys(info)) {
    if (key !== 'level') info[key] = redact(info[key]);
  }
  return info;
});

const MESSAGE = Symbol.for('message');
const safeJson = winston.format.json();

/**
 * One JSON line per entry. JSON.stringify is several times faster than logform's json()
 * (safe-stable-stringify, sorted keys), which matters for the access log's line per request;
 * what it cannot write (a BigInt, a cycle that redaction did not reach) goes to json().
 */
const jsonLine = winston.format((info) => {
  try {
    (info as Record<symbol, unknown>)[MESSAGE] = JSON.stringify(info);
    return info;
  } catch {
    return safeJson.transform(info, {});
  }
});

function prettyLine(info: winston.Logform.TransformableInfo): string {
  const { timestamp, level, message, service: _service, version: _version, ...rest } = info;
  const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${String(timestamp)} ${level} ${String(message)}${extra}`;
}

export function createLogger(options: LoggerOptions): Logger {
  const base = [winston.format.errors({ stack: true }), winston.format.timestamp(), contextAndRedaction()];
  const format =
    options.format === 'pretty'
      ? winston.format.combine(...base, winston.format.colorize(), winston.format.printf(prettyLine))
      : winston.format.combine(...base, jsonLine());
  const transport = options.stream
    ? new winston.transports.Stream({ stream: options.stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level: options.level,
    defaultMeta: { service: options.service, version: options.version },
    format,
    transports: [transport],
  });
}
