import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { InstanceValidationError, platforms, renderYaml, synthesize, type Platform } from '../cdk8s/index.js';

/** Usage of `rosterhub render`. */
export const renderUsage = `usage: rosterhub render -f <instance.yaml|-> [--platform kind|aks|eks]

Prints every Kubernetes object of the RosterHubInstance(s) in the file as multi-document YAML,
without a cluster (for GitOps). --platform replaces spec.platform. Exit 2 on an invalid spec.`;

/** Where the command reads and writes (injectable for tests). */
export interface RenderIo {
  readonly readFile: (path: string) => string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: RenderIo = {
  readFile: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** `rosterhub render`: returns the exit code (0, or 2 for bad usage, unreadable input or an invalid spec). */
export function runRenderCommand(args: string[], io: RenderIo = processIo): number {
  let file: string | undefined;
  let platform: Platform | undefined;
  try {
    const { values } = parseArgs({
      args,
      options: {
        file: { type: 'string', short: 'f' },
        platform: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.stdout(`${renderUsage}\n`);
      return 0;
    }
    file = values.file;
    if (values.platform !== undefined) {
      if (!(platforms as readonly string[]).includes(values.platform)) {
        throw new Error(`--platform must be one of ${platforms.join(', ')}, not '${values.platform}'`);
      }
      platform = values.platform as Platform;
    }
    if (file === undefined) throw new Error('-f <instance.yaml> is required');
  } catch (error) {
    io.stderr(`rosterhub render: ${(error as Error).message}\n\n${renderUsage}\n`);
    return 2;
  }

  let text: string;
  try {
    text = io.readFile(file);
  } catch (error) {
    io.stderr(`rosterhub render: cannot read ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  const documents = parseAllDocuments(text);
  const inputs: unknown[] = [];
  for (const [index, document] of documents.entries()) {
    if (document.errors.length > 0) {
      io.stderr(
        `rosterhub render: ${file}: document ${index + 1} is not valid YAML: ${document.errors[0]?.message}\n`,
      );
      return 2;
    }
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) inputs.push(value);
  }
  if (inputs.length === 0) {
    io.stderr(`rosterhub render: ${file} holds no RosterHubInstance\n`);
    return 2;
  }

  let output = '';
  for (const [index, input] of inputs.entries()) {
    try {
      output += renderYaml(synthesize(input, platform === undefined ? {} : { platform }));
    } catch (error) {
      if (!(error instanceof InstanceValidationError)) throw error;
      const where = inputs.length > 1 ? ` (document ${index + 1})` : '';
      io.stderr(`rosterhub render: ${file}${where}: ${error.message}\n`);
      return 2;
    }
  }
  io.stdout(output);
  return 0;
}
