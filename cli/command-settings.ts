import { withConnectionUrls } from '../lib/config/connection-urls.js';
import { loadConfig, type ConfigOf, type SettingsSchema } from '../lib/config/settings.js';

/**
 * Loads the settings of a `rosterhub` command the way the API and the worker load theirs:
 * DATABASE_URL and REDIS_URL, when unset, are composed from the PG* and REDIS_* variables the
 * operator's pods get, so `kubectl exec … -- rosterhub keys create` works inside a pod.
 * Throws a ConfigError naming every missing or malformed variable (secret values never shown).
 */
export function loadCommandSettings<S extends SettingsSchema>(
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConfigOf<S> {
  return loadConfig(schema, withConnectionUrls(env));
}
