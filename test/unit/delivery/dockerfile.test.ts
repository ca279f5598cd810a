import { readFileSync } from 'node:fs';

const repoFile = (path: string): string => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages of instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new Error(`unreadable FROM: ${line}`);
      stages.push({ name: match[2] ?? String(stages.length), from: match[1] ?? '', instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = instruction.args.split('=');
      args.set(name, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(repoFile('Dockerfile'));
const stageNamed = (name: string): Stage => {
  const stage = dockerfile.stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
};
/** The stage and the stages it builds on, base first. */
const lineage = (name: string): Stage[] => {
  const stage = stageNamed(name);
  const parent = dockerfile.stages.find((s) => s.name === stage.from);
  return parent ? [...lineage(parent.name), stage] : [stage];
};
const instructionsOf = (target: string): Instruction[] => lineage(target).flatMap((s) => s.instructions);
const baseImageOf = (stage: Stage): string =>
  stage.from.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (_, a?: string, b?: string) => dockerfile.args.get(a ?? b ?? '') ?? '',
  );
const targets = ['api', 'operator'];

describe('Dockerfile', () => {
  it('When the images are built, then both targets exist and api, built last, is the default', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(expect.arrayContaining(targets));
    expect(dockerfile.stages.at(-1)?.name).toBe('api');
  });

  it('When a stage starts from a registry image, then it is Node 24 pinned to an exact release or a digest', () => {
    const external = dockerfile.stages.filter((s) => !dockerfile.stages.some((o) => o.name === s.from));
    expect(external.length).toBeGreaterThan(0);
    for (const stage of external) {
      const image = baseImageOf(stage);
      expect(image).toMatch(
        /^(docker\.io\/(library\/)?)?node:24\.\d+\.\d+(-[a-z0-9-]+)?(@sha256:[0-9a-f]{64})?$|@sha256:[0-9a-f]{64}$/,
      );
      expect(image).not.toMatch(/:(latest|24|lts|current)(-|$)/);
    }
  });

  it.each(targets)('When the %s image runs, then its user is 65532 (never root)', (target) => {
    const users = instructionsOf(target).filter((i) => i.keyword === 'USER');
    expect(users.at(-1)?.args).toMatch(/^65532(:65532)?$/);
  });

  it.each(targets)('When the %s image is built, then only production dependencies reach it', (target) => {
    const chain = lineage(target);
    const prodStages = new Set<string>();
    for (const stage of dockerfile.stages) {
      const installs = stage.instructions.filter(
        (i) => i.keyword === 'RUN' && /\bnpm (ci|install)\b/.test(i.args),
      );
      if (installs.length > 0 && installs.every((i) => /--omit=dev|--production\b|--only=prod/.test(i.args)))
        prodStages.add(stage.name);
    }
    for (const stage of chain) {
      for (const instruction of stage.instructions) {
        if (instruction.keyword === 'RUN') expect(instruction.args).not.toMatch(/\bnpm (ci|install|i)\b/);
        const from = /--from=(\S+)/.exec(instruction.args)?.[1];
        if (instruction.keyword === 'COPY' && instruction.args.includes('node_modules')) {
          expect(from && prodStages.has(from)).toBe(true);
        }
        if (instruction.keyword === 'COPY' && !from) {
          expect(instruction.args).not.toMatch(/^\.\s|node_modules|^(\S+\s+)*(api|test|cdk8s|operator)\s/);
        }
      }
    }
  });

  it.each(targets)(
    'When the %s container stops, then an init process forwards signals to node bin/rosterhub.js',
    (target) => {
      const entrypoint =
        instructionsOf(target)
          .filter((i) => i.keyword === 'ENTRYPOINT')
          .at(-1)?.args ?? '';
      const argv = JSON.parse(entrypoint) as string[];
      expect(argv[0]).toMatch(/(^|\/)(tini|dumb-init)$/);
      expect(argv.slice(-2)).toEqual(['node', 'bin/rosterhub.js']);
      expect(
        instructionsOf(target).some((i) => i.keyword === 'RUN' && /install .*\btini\b/.test(i.args)),
      ).toBe(true);
    },
  );

  it.each([
    ['api', '["api"]', '3000 8081', '8081'],
    ['operator', '["operator"]', '8081', '8081'],
  ])(
    'When the %s image runs, then its command, ports and HEALTHCHECK on /healthz (on the health port) fit it',
    (target, cmd, exposed, healthPort) => {
      const own = stageNamed(target).instructions;
      expect(own.find((i) => i.keyword === 'CMD')?.args).toBe(cmd);
      expect(own.find((i) => i.keyword === 'EXPOSE')?.args).toBe(exposed);
      const healthcheck = own.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
      expect(healthcheck).toContain('/healthz');
      expect(healthcheck).toContain(`process.env.HEALTH_PORT || ${healthPort}`);
    },
  );

  it('When the api image runs `rosterhub backup`, then pg_dump of PostgreSQL 17 (the newest a district runs) is on PATH, from the PostgreSQL project unless PG_CLIENT_SOURCE=debian', () => {
    const api = stageNamed('api').instructions;
    const buildArgs = new Map(
      api.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=') as [string, string]),
    );
    expect(buildArgs.get('PG_CLIENT_MAJOR')).toBe('17');
    expect(buildArgs.get('PG_CLIENT_SOURCE')).toBe('pgdg');
    const install = api.find((i) => i.keyword === 'RUN')?.args ?? '';
    expect(install).toMatch(/pgdg\)[^)]*apt\.postgresql\.org\.sh[^)]*;;/);
    expect(install).toMatch(/debian\) ;;/);
    expect(
      api.some((i) => i.keyword === 'RUN' && i.args.includes('postgresql-client-${PG_CLIENT_MAJOR}')),
    ).toBe(true);
    expect(api.find((i) => i.keyword === 'ENV')?.args).toContain(
      '/usr/lib/postgresql/${PG_CLIENT_MAJOR}/bin',
    );
  });

  it('When the build context is sent, then .dockerignore keeps secrets, modules and build output out', () => {
    const ignored = repoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['.git', '.env', '.local', 'node_modules', 'dist', 'coverage']) {
      expect(ignored).toContain(entry);
    }
  });
});
