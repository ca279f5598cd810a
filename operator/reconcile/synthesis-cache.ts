import {
  synthesizeDistrict,
  type District,
  type RosterHubInstance,
  type SynthesisOptions,
} from '../../cdk8s/index.js';
import { instanceKey } from '../instance-key.js';

/** At most this many syntheses per instance: its target version and the serving one. */
const PER_INSTANCE = 2;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The last syntheses of each instance, keyed by what synthesis reads (name, namespace, spec,
 * the external services' ports):
 * a resync of an unchanged instance reuses them instead of building a cdk8s App again, which
 * is most of a reconcile's CPU and garbage. Results are frozen, as they are shared.
 */
export class SynthesisCache {
  readonly #entries = new Map<string, Map<string, District>>();

  synthesize(instance: RosterHubInstance, options: SynthesisOptions = {}): District {
    const { name, namespace } = instance.metadata;
    const key = instanceKey(instance.metadata);
    const input = JSON.stringify([name, namespace, instance.spec, options]);
    let entries = this.#entries.get(key);
    const hit = entries?.get(input);
    if (entries && hit) {
      entries.delete(input);
      entries.set(input, hit);
      return hit;
    }
    const district = deepFreeze(synthesizeDistrict(instance, options));
    if (!entries) {
      entries = new Map();
      this.#entries.set(key, entries);
    }
    if (entries.size >= PER_INSTANCE) entries.delete(entries.keys().next().value ?? '');
    entries.set(input, district);
    return district;
  }

  /** The instance is gone. */
  forget(key: string): void {
    this.#entries.delete(key);
  }
}
