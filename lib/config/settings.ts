/**
 * A declarative schema for 12-factor configuration: each setting names its environment
 * variable, documents itself, has an optional default and a parser that throws a message on
 * bad input. `loadConfig` validates every setting at once and reports all problems together.
 */
export interface Setting<T> {
  readonly env: string;
  readonly doc: string;
  /** Used when the variable is unset or empty. A setting without a default is required. */
  readonly default?: T;
  /** Turns the raw string into the typed value; throws an Error whose message says what is expected. */
  readonly parse: (raw: string) => T;
  /** Secret values (passwords, URLs with credentials) are never echoed in errors or docs. */
  readonly secret?: boolean;
}

export type SettingsSchema = Record<string, Setting<unknown>>;

export type ConfigOf<S extends SettingsSchema> = {
  readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never;
};

/** Thrown when one or more settings are missing or malformed; the message names every one. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends SettingsSchema>(
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConfigOf<S> {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(schema)) {
    const raw = env[setting.env];
    if (raw === undefined || raw.trim() === '') {
      if (setting.default === undefined) {
        problems.push(`${setting.env} is required but not set (${setting.doc})`);
      } else {
        config[key] = setting.default;
      }
      continue;
    }
    try {
      config[key] = setting.parse(raw.trim());
    } catch (error) {
      const shown = setting.secret ? '(secret value not shown)' : JSON.stringify(raw);
      problems.push(`${setting.env}=${shown} is invalid: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as ConfigOf<S>;
}

/** A Markdown table of the settings, for the README: one source of truth for the docs. */
export function settingsTable(schema: SettingsSchema): string {
  const rows = Object.values(schema).map((s) => {
    const shown = Array.isArray(s.default)
      ? s.default.join(',')
      : typeof s.default === 'string'
        ? s.default
        : JSON.stringify(s.default);
    const fallback = s.default === undefined ? '(required)' : shown === '' ? '(empty)' : `\`${shown}\``;
    return `| \`${s.env}\` | ${fallback} | ${s.doc} |`;
  });
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
