import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { runRenderCommand, type RenderIo } from '../../../cli/render-command.js';
import { goldenDir } from './support.js';

function run(
  args: string[],
  files: Record<string, string> = {},
): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const io: RenderIo = {
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error('ENOENT: no such file');
      return text;
    },
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  };
  return { code: runRenderCommand(args, io), stdout, stderr };
}

const example = (platform: string) => readFileSync(new URL(`${platform}.instance.yaml`, goldenDir), 'utf8');
const golden = (platform: string) => readFileSync(new URL(`${platform}.yaml`, goldenDir), 'utf8');

describe('rosterhub render', () => {
  it('When given an instance file, then it prints the golden multi-document YAML and exits 0', () => {
    const result = run(['-f', 'kind.yaml'], { 'kind.yaml': example('kind') });
    expect(result).toEqual({ code: 0, stdout: golden('kind'), stderr: '' });
    expect(parseAllDocuments(result.stdout).length).toBeGreaterThan(20);
  });

  it('When --platform is given, then the spec platform is replaced', () => {
    const onAks = run(['-f', 'kind.yaml', '--platform', 'aks'], { 'kind.yaml': example('kind') });
    expect(onAks.code).toBe(0);
    expect(onAks.stdout).toContain('ingressClassName: webapprouting.kubernetes.azure.com');
    expect(onAks.stdout).toContain('storageClassName: managed-csi');
  });

  it('When the spec is invalid, then it exits 2 and names every bad field on stderr', () => {
    const bad = example('kind')
      .replace('version: 1.4.2', 'version: latest')
      .replace('platform: kind', 'platform: gke');
    const result = run(['-f', 'bad.yaml'], { 'bad.yaml': bad });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('spec.version: must be a semantic version');
    expect(result.stderr).toContain('spec.platform: must be one of: kind, aks, eks');
  });

  it('When the file holds two instances, then both are rendered, and an error names the document', () => {
    const two = `${example('kind')}\n---\n${example('kind').replace('name: district-a', 'name: district-b')}`;
    const result = run(['-f', 'two.yaml'], { 'two.yaml': two });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('name: district-b-api');
    const broken = `${example('kind')}\n---\n${example('kind').replace('version: 1.4.2', 'version: x')}`;
    expect(run(['-f', 'b.yaml'], { 'b.yaml': broken }).stderr).toContain('(document 2)');
  });

  it.each([
    [[], '-f <instance.yaml> is required'],
    [['-f', 'x.yaml', '--platform', 'gke'], '--platform must be one of kind, aks, eks'],
    [['-f', 'x.yaml', '--surprise'], "Unknown option '--surprise'"],
    [['-f', 'missing.yaml'], 'cannot read missing.yaml'],
  ])('When called with %j, then it exits 2 explaining why', (args, message) => {
    const result = run(args, { 'x.yaml': example('kind') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('When the file is not YAML or is empty, then it exits 2', () => {
    expect(run(['-f', 'x.yaml'], { 'x.yaml': 'spec: [unclosed' }).code).toBe(2);
    expect(run(['-f', 'x.yaml'], { 'x.yaml': '' }).stderr).toContain('holds no RosterHubInstance');
  });

  it('When asked for help, then it prints the usage and exits 0', () => {
    expect(run(['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('usage: rosterhub render') as string,
    });
  });
});
