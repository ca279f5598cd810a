import { KubeConfig } from '@kubernetes/client-node';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** Who a kubeconfig authenticates as: a client certificate or a bearer token. */
export type KubeconfigUser = { certData: string; keyData: string } | { token: string };

/** Everything a single-context kubeconfig holds; the certificate data is PEM text. */
export interface KubeconfigSpec {
  name: string;
  server: string;
  caData: string;
  user: KubeconfigUser;
  namespace?: string;
}

const base64 = (pem: string): string => Buffer.from(pem).toString('base64');

/** The kubeconfig file text (YAML, certificates embedded, so the file stands alone). */
export function renderKubeconfig(spec: KubeconfigSpec): string {
  const user =
    'token' in spec.user
      ? { token: spec.user.token }
      : {
          'client-certificate-data': base64(spec.user.certData),
          'client-key-data': base64(spec.user.keyData),
        };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: spec.name,
        cluster: { server: spec.server, 'certificate-authority-data': base64(spec.caData) },
      },
    ],
    users: [{ name: spec.name, user }],
    contexts: [
      {
        name: spec.name,
        context: {
          cluster: spec.name,
          user: spec.name,
          ...(spec.namespace ? { namespace: spec.namespace } : {}),
        },
      },
    ],
    'current-context': spec.name,
  });
}

/** Writes the kubeconfig (mode 0600) and returns its path. */
export async function writeKubeconfig(path: string, spec: KubeconfigSpec): Promise<string> {
  await writeFile(path, renderKubeconfig(spec), { mode: 0o600 });
  return path;
}

/** The same kubeconfig as a client-node `KubeConfig`. */
export function toKubeConfig(spec: KubeconfigSpec): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(renderKubeconfig(spec));
  return kubeConfig;
}
