/** Pod Security `restricted` building blocks and deliberate resource requirements. */
import { k8s } from 'cdk8s-plus-27';

/** UID and GID the RosterHub image runs as (distroless `nonroot`). */
export const appUser = 65532;

/** Pod-level settings every Pod gets: non-root, RuntimeDefault seccomp, volumes owned by `fsGroup`. */
export function restrictedPodSecurityContext(user: number = appUser): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    fsGroup: user,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level settings every container gets: no privilege escalation, no capabilities, read-only root. */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Requests and limits as the spec states them (never cdk8s-plus's injected 1000m/512Mi). */
export function resourceRequirements(resources: {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}): k8s.ResourceRequirements {
  return {
    requests: {
      cpu: k8s.Quantity.fromString(resources.requests.cpu),
      memory: k8s.Quantity.fromString(resources.requests.memory),
    },
    limits: {
      cpu: k8s.Quantity.fromString(resources.limits.cpu),
      memory: k8s.Quantity.fromString(resources.limits.memory),
    },
  };
}

/**
 * A writable scratch directory on a read-only root filesystem. `Memory` puts it on tmpfs, whose
 * contents count against the container's memory limit.
 */
export function scratchVolume(name: string, sizeLimit = '64Mi', medium?: 'Memory'): k8s.Volume {
  return { name, emptyDir: { ...(medium && { medium }), sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}
