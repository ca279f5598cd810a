import type { SecretRequirement } from '../../../cdk8s/index.js';
import type { MissingSecret } from '../../secrets.js';

const keysNeeded = (secret: SecretRequirement) =>
  secret.keys.length > 0 ? ` needs keys ${secret.keys.join(', ')}` : '';

/** "key a" or "keys a, b". */
const keyNames = (keys: readonly string[]) => `${keys.length === 1 ? 'key' : 'keys'} ${keys.join(', ')}`;

/** Why absent Secrets someone else provides keep a part from working. */
function absentSecretsMessage(secrets: readonly SecretRequirement[]): string {
  const [only] = secrets;
  if (secrets.length === 1 && only) {
    const keys = only.keys.length > 0 ? `; it${keysNeeded(only)}` : '';
    return `Secret ${only.name} (${only.purpose}) does not exist in the namespace${keys}`;
  }
  const each = secrets.map((secret) => `${secret.name} (${secret.purpose})${keysNeeded(secret)}`);
  return `Secrets ${secrets.map((secret) => secret.name).join(', ')} do not exist in the namespace: ${each.join('; ')}`;
}

/**
 * Why Secrets keep a part from working, for a condition message: the absent ones with the keys
 * they need, then each present one with exactly the keys it lacks (names only, never values).
 */
export function missingSecretsMessage(secrets: readonly MissingSecret[]): string {
  const absent = secrets.filter((secret) => secret.lacks === undefined);
  return [
    ...(absent.length > 0 ? [absentSecretsMessage(absent)] : []),
    ...secrets.flatMap(({ name, purpose, lacks }) =>
      lacks === undefined ? [] : [`Secret ${name} (${purpose}) lacks ${keyNames(lacks)} (absent or empty)`],
    ),
  ].join('; ');
}

/** "Secret a", "Secrets a, b", "key host of Secret a": what a provisioner has yet to write. */
export function unwrittenSecrets(secrets: readonly MissingSecret[]): string {
  const absent = secrets.filter((secret) => secret.lacks === undefined);
  return [
    ...(absent.length > 0
      ? [`${absent.length === 1 ? 'Secret' : 'Secrets'} ${absent.map((secret) => secret.name).join(', ')}`]
      : []),
    ...secrets.flatMap(({ name, lacks }) =>
      lacks === undefined ? [] : [`${keyNames(lacks)} of Secret ${name}`],
    ),
  ].join(' and ');
}
