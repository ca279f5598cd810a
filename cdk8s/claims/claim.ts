import type { k8s } from 'cdk8s-plus-27';
import type { Component } from '../names.js';

/** Where one connection setting comes from: a literal, or a key of a Secret (unset when an optional key is absent). */
export type EnvSource =
  | { readonly value: string }
  | { readonly secretName: string; readonly key: string; readonly optional?: boolean };

/** How the app reaches PostgreSQL; becomes PGHOST… (the app composes DATABASE_URL). */
export interface PostgresConnection {
  readonly host: EnvSource;
  readonly port: EnvSource;
  readonly username: EnvSource;
  readonly password: EnvSource;
  readonly database: EnvSource;
  readonly sslmode: EnvSource;
  /** DATABASE_POOL_MODE: `transaction` behind a transaction pooler; unset means `session`. */
  readonly poolMode?: EnvSource;
}

/** How the app reaches Redis; becomes REDIS_HOST… (the app composes REDIS_URL). */
export interface RedisConnection {
  readonly scheme: EnvSource;
  readonly host: EnvSource;
  readonly port: EnvSource;
  readonly password: EnvSource;
}

/** The parts of a district that read a Secret someone else may have to provide. */
export type SecretConsumer = Extract<Component, 'postgres' | 'redis' | 'backup'>;

/** A Secret the synthesized objects read but never create (Secrets only by reference). */
export interface SecretRequirement {
  readonly name: string;
  /** Whose Secret it is: the status reports a missing one on that part's condition. */
  readonly component: SecretConsumer;
  readonly keys: readonly string[];
  /**
   * `generate`: the operator creates it once with random URL-safe values (GitOps users create
   * it by hand); `user`: the person provides it; `provisioner`: a cloud provisioner writes it.
   */
  readonly origin: 'generate' | 'user' | 'provisioner';
  /** For people: shown in the status message when the Secret is missing. */
  readonly purpose: string;
}

/** What a PostgreSQL or Redis claim ends in, whatever its mode. */
export interface DataServiceClaim<C> {
  readonly connection: C;
  /** Egress rules app Pods need to reach the service. */
  readonly egress: k8s.NetworkPolicyEgressRule[];
  readonly secrets: readonly SecretRequirement[];
}

/** A literal connection setting. */
export function literal(value: string | number): EnvSource {
  return { value: String(value) };
}

/** A connection setting read from a Secret key. */
export function fromSecret(secretName: string, key: string): EnvSource {
  return { secretName, key };
}

/**
 * The claim of a server the user runs: each connection setting is the key of the same name in
 * the user's Secret, and `keys` is both the connection's fields and the Secret's keys.
 */
export function externalClaim<K extends string>(
  component: Extract<SecretConsumer, 'postgres' | 'redis'>,
  secret: string,
  keys: readonly K[],
  egress: k8s.NetworkPolicyEgressRule[],
  purpose: string,
): DataServiceClaim<Record<K, EnvSource>> {
  return {
    connection: Object.fromEntries(keys.map((key) => [key, fromSecret(secret, key)])) as Record<K, EnvSource>,
    egress,
    secrets: [{ name: secret, component, keys, origin: 'user', purpose }],
  };
}
