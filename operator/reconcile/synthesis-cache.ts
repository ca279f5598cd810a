import {
  synthesizeDistrict,
  type District,
  type RosterHubInstance,
  type SynthesisOptions,
} from '../../cdk8s/index.js';
import { instanceKey } from '../instance-key.js';
import type { ValueCodec } from '../runtime/deflated-json.js';

/** At most this many syntheses per instance: its target version and the serving one. */
const PER_INSTANCE = 2;

type Synthesize = (instance: RosterHubInstance, options: SynthesisOptions) => District;

/**
 * The last syntheses of each instance, keyed by what synthesis reads (name, namespace, spec,
 * the external services' ports):
 * a resync of an unchanged instance reuses them instead of building a cdk8s App again, which
 * is most of a reconcile's CPU and garbage. Entries are kept encoded (a district is 40 KiB as
 * objects, a few KiB deflated), and every hit is a fresh copy the reconcile may change.
 */
export class SynthesisCache {
  readonly #entries = new Map<string, Map<string, string>>();

  constructor(
    private readonly codec: ValueCodec<District>,
    private readonly synthesizeFn: Synthesize = synthesizeDistrict,
  ) {}

  synthesize(instance: RosterHubInstance, options: SynthesisOptions = {}): District {
    const { name, namespace } = instance.metadata;
    const key = instanceKey(instance.metadata);
    const input = JSON.stringify([name, namespace, instance.spec, options]);
    let entries = this.#entries.get(key);
    const hit = entries?.get(input);
    if (entries && hit !== undefined) {
      entries.delete(input);
      entries.set(input, hit);
      return this.codec.decode(hit);
    }
    const district = this.synthesizeFn(instance, options);
    if (!entries) {
      entries = new Map();
      this.#entries.set(key, entries);
    }
    if (entries.size >= PER_INSTANCE) entries.delete(entries.keys().next().value ?? '');
    entries.set(input, this.codec.encode(district));
    return district;
  }

  /** The instance is gone. */
  forget(key: string): void {
    this.#entries.delete(key);
  }
}
