import type { SecretRequirement } from '../../../cdk8s/index.js';
import type { KubeClient, KubeObject, OwnerReference } from '../../../operator/kube/kube-client.js';
import { ensureSecrets, lackingKeys } from '../../../operator/secrets.js';

const namespace = 'districts';

/** A live Secret as the API server returns it: `data` base64-encoded. */
function secret(name: string, values?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, uid: `uid-${name}` },
    type: 'Opaque',
    ...(values
      ? {
          data: Object.fromEntries(
            Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
          ),
        }
      : {}),
  };
}

/**
 * `cached` is what the label-selected informer holds, `stored` what a GET by name finds (Secrets
 * without the operator's label). Records every request.
 */
function cluster(cached: KubeObject[], stored: KubeObject[] = [], owners: OwnerReference[] = []) {
  const requests: string[] = [];
  const client = {
    get: (_apiVersion: string, kind: string, ns: string, name: string) => {
      requests.push(`get ${kind} ${ns}/${name}`);
      return Promise.resolve(stored.find((object) => object.metadata.name === name));
    },
    create: (object: KubeObject) => {
      requests.push(`create ${object.kind} ${object.metadata.name}`);
      return Promise.resolve(object);
    },
    mergePatch: (object: KubeObject) => {
      requests.push(`patch ${object.kind} ${object.metadata.name}`);
      return Promise.resolve(object);
    },
  } as unknown as KubeClient;
  const check = (requirements: SecretRequirement[]) =>
    ensureSecrets(
      client,
      namespace,
      'district-a',
      requirements,
      (name) => cached.find((object) => object.metadata.name === name),
      () => owners,
    );
  return { check, requests };
}

const connection: SecretRequirement = {
  name: 'district-a-redis-connection',
  component: 'redis',
  keys: ['host', 'port', 'password'],
  origin: 'provisioner',
  purpose: 'cache host, TLS port and access key, written by ASO',
};

const external: SecretRequirement = {
  name: 'pg',
  component: 'postgres',
  keys: ['host', 'port', 'username', 'password', 'database', 'sslmode'],
  origin: 'user',
  purpose: 'connection to the external PostgreSQL server',
};

const generated: SecretRequirement = {
  name: 'district-a-postgres-credentials',
  component: 'postgres',
  keys: ['password'],
  origin: 'generate',
  purpose: 'password of the in-cluster PostgreSQL',
};

const pgValues = {
  host: 'db.example.com',
  port: '5432',
  username: 'rosterhub',
  password: 's3cr3t-value',
  database: 'rosterhub',
  sslmode: 'require',
};

describe('lackingKeys', () => {
  it('When a key is absent, empty or blank, then it is lacking; a non-empty value is not', () => {
    const live = secret('s', { host: 'db', port: '', password: ' \n' });
    expect(lackingKeys(live, ['host', 'port', 'password', 'username'])).toEqual([
      'port',
      'password',
      'username',
    ]);
  });

  it('When the Secret has no data at all (the FieldExport’s empty receptacle), then every key is lacking', () => {
    expect(lackingKeys(secret('s'), ['host'])).toEqual(['host']);
    expect(lackingKeys({ ...secret('s'), data: null }, ['host'])).toEqual(['host']);
  });
});

describe('ensureSecrets reports required Secrets that are absent or lack keys', () => {
  it('When the provisioner’s Secret exists in the cache but is empty, then it is reported with every key it lacks', async () => {
    const { check, requests } = cluster([secret(connection.name, { host: 'cache.example.com' })]);
    const { missing, created } = await check([connection]);
    expect(missing).toEqual([{ ...connection, lacks: ['port', 'password'] }]);
    expect(created).toEqual([]);
    expect(requests).toEqual([]);
  });

  it('When a person’s Secret (no operator label) lacks one key, then it is read by name and that key is named', async () => {
    const { password: _password, ...withoutPassword } = pgValues;
    const { check, requests } = cluster([], [secret('pg', withoutPassword)]);
    const { missing } = await check([external]);
    expect(missing).toEqual([{ ...external, lacks: ['password'] }]);
    expect(requests).toEqual(['get Secret districts/pg']);
  });

  it('When a Secret someone else provides exists nowhere, then it is reported absent (no `lacks`)', async () => {
    const { check } = cluster([]);
    const { missing } = await check([external, connection]);
    expect(missing).toEqual([external, connection]);
    expect(missing.every((secret) => !('lacks' in secret))).toBe(true);
  });

  it('When every required key holds a value, then nothing is reported', async () => {
    const { check } = cluster(
      [secret(connection.name, { host: 'cache.example.com', port: '6380', password: 'k' })],
      [secret('pg', pgValues)],
    );
    expect((await check([connection, external])).missing).toEqual([]);
  });

  it('When a generated Secret exists without a key the pods read, then it is reported and never regenerated', async () => {
    const { check, requests } = cluster([secret(generated.name, { other: 'x' })]);
    const { missing, created } = await check([generated]);
    expect(missing).toEqual([{ ...generated, lacks: ['password'] }]);
    expect(created).toEqual([]);
    expect(requests.filter((request) => request.startsWith('create'))).toEqual([]);
  });

  it('When a generated Secret exists nowhere, then it is read by name, found absent, created and not reported', async () => {
    const { check, requests } = cluster([]);
    const { missing, created } = await check([generated]);
    expect(missing).toEqual([]);
    expect(created).toEqual([generated.name]);
    expect(requests).toEqual([`get Secret districts/${generated.name}`, `create Secret ${generated.name}`]);
  });

  it('When a generated Secret is in the cache, then it costs no request at all', async () => {
    const { check, requests } = cluster([secret(generated.name, { password: 'made-by-the-operator' })]);
    const { missing, created } = await check([generated]);
    expect({ missing, created, requests }).toEqual({ missing: [], created: [], requests: [] });
  });

  it('When Secrets lack keys, then what is reported holds key names only, never a value', async () => {
    const { check } = cluster(
      [secret(connection.name, { password: 'access-key-value' })],
      [secret('pg', { ...pgValues, host: '' })],
    );
    const { missing } = await check([connection, external]);
    expect(missing.map((secret) => secret.lacks)).toEqual([['host', 'port'], ['host']]);
    const reported = JSON.stringify(missing);
    for (const value of ['access-key-value', pgValues.password, pgValues.username]) {
      expect(reported).not.toContain(value);
      expect(reported).not.toContain(Buffer.from(value).toString('base64'));
    }
  });
});

describe('ensureSecrets keeps a generated Secret made by hand (GitOps, no operator label) as it is', () => {
  const owner: OwnerReference = {
    apiVersion: 'rosterhub.io/v1alpha1',
    kind: 'RosterHubInstance',
    name: 'district-a',
    uid: 'uid-district-a',
    controller: true,
    blockOwnerDeletion: true,
  };

  it('When the cache lacks it but it exists, then it is read by name and neither created nor counted as created', async () => {
    const { check, requests } = cluster([], [secret(generated.name, { password: 'set-by-gitops' })]);
    const { missing, created } = await check([generated]);
    expect(missing).toEqual([]);
    expect(created).toEqual([]);
    expect(requests).toEqual([`get Secret districts/${generated.name}`]);
  });

  it('When the deletion policy wants an owner reference, then the hand-made one still gets none (the operator’s own does)', async () => {
    const handMade = cluster([], [secret(generated.name, { password: 'set-by-gitops' })], [owner]);
    await handMade.check([generated]);
    expect(handMade.requests).toEqual([`get Secret districts/${generated.name}`]);

    const operatorMade = cluster([secret(generated.name, { password: 'generated' })], [], [owner]);
    await operatorMade.check([generated]);
    expect(operatorMade.requests).toEqual([`patch Secret ${generated.name}`]);
  });

  it('When it lacks the key the pods read, then it is reported naming that key, and not regenerated', async () => {
    const { check, requests } = cluster([], [secret(generated.name, { passwort: 'typo-value' })]);
    const { missing, created } = await check([generated]);
    expect(missing).toEqual([{ ...generated, lacks: ['password'] }]);
    expect(created).toEqual([]);
    expect(requests).toEqual([`get Secret districts/${generated.name}`]);
    expect(JSON.stringify(missing)).not.toContain('typo-value');
  });

  it('When it appears between the read and the create (409), then the one found is kept, checked and not counted as created', async () => {
    const requests: string[] = [];
    let stored: KubeObject | undefined;
    const client = {
      get: (_apiVersion: string, kind: string, ns: string, name: string) => {
        requests.push(`get ${kind} ${ns}/${name}`);
        return Promise.resolve(stored);
      },
      create: (object: KubeObject) => {
        requests.push(`create ${object.kind} ${object.metadata.name}`);
        // A person's kubectl apply won the race.
        stored = secret(generated.name, { password: '' });
        return Promise.reject(Object.assign(new Error('AlreadyExists'), { code: 409 }));
      },
      mergePatch: (object: KubeObject) => {
        requests.push(`patch ${object.kind} ${object.metadata.name}`);
        return Promise.resolve(object);
      },
    } as unknown as KubeClient;
    const { missing, created } = await ensureSecrets(
      client,
      namespace,
      'district-a',
      [generated],
      () => undefined,
      () => [],
    );
    expect(missing).toEqual([{ ...generated, lacks: ['password'] }]);
    expect(created).toEqual([]);
    expect(requests).toEqual([
      `get Secret districts/${generated.name}`,
      `create Secret ${generated.name}`,
      `get Secret districts/${generated.name}`,
    ]);
  });

  it('When a create fails for another reason, then the error is thrown', async () => {
    const client = {
      get: () => Promise.resolve(undefined),
      create: () => Promise.reject(Object.assign(new Error('forbidden'), { code: 403 })),
    } as unknown as KubeClient;
    await expect(
      ensureSecrets(
        client,
        namespace,
        'district-a',
        [generated],
        () => undefined,
        () => [],
      ),
    ).rejects.toThrow('forbidden');
  });
});
