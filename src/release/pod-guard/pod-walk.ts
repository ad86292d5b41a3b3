import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";

/** One container of a pod with the path its fields are named by (`containers[reviews]`). */
export interface PlacedContainer {
  container: IContainer;
  at: string;
}

export function containersOf(spec: IPodSpec): PlacedContainer[] {
  return [
    ...(spec.initContainers ?? []).map((container) => ({
      container,
      at: `initContainers[${container.name}]`,
    })),
    ...spec.containers.map((container) => ({ container, at: `containers[${container.name}]` })),
  ];
}

/** A container's user and root settings after the pod's defaults apply, with the field that set each. */
export function effectiveUser(
  spec: IPodSpec,
  { container, at }: PlacedContainer,
): {
  runAsUser?: { value: number; field: string };
  runAsNonRoot?: { value: boolean; field: string };
} {
  const own = container.securityContext;
  const pod = spec.securityContext;
  const pick = <K extends "runAsUser" | "runAsNonRoot">(key: K) => {
    if (own?.[key] !== undefined) return { value: own[key], field: `${at}.securityContext.${key}` };
    if (pod?.[key] !== undefined) return { value: pod[key], field: `securityContext.${key}` };
    return undefined;
  };
  const runAsUser = pick("runAsUser") as { value: number; field: string } | undefined;
  const runAsNonRoot = pick("runAsNonRoot") as { value: boolean; field: string } | undefined;
  return { ...(runAsUser ? { runAsUser } : {}), ...(runAsNonRoot ? { runAsNonRoot } : {}) };
}

/** Every Secret the pod reads, with the field that names it (env, envFrom, secret and projected volumes). */
export function secretReferences(spec: IPodSpec): { name: string; field: string }[] {
  const found: { name: string; field: string }[] = [];
  for (const { container, at } of containersOf(spec)) {
    for (const variable of container.env ?? []) {
      const name = variable.valueFrom?.secretKeyRef?.name;
      if (name) found.push({ name, field: `${at}.env[${variable.name}].valueFrom.secretKeyRef.name` });
    }
    (container.envFrom ?? []).forEach((source, index) => {
      const name = source.secretRef?.name;
      if (name) found.push({ name, field: `${at}.envFrom[${index}].secretRef.name` });
    });
  }
  for (const pull of spec.imagePullSecrets ?? []) {
    if (pull.name) found.push({ name: pull.name, field: `imagePullSecrets[${pull.name}]` });
  }
  for (const volume of spec.volumes ?? []) {
    const name = volume.secret?.secretName;
    if (name) found.push({ name, field: `volumes[${volume.name}].secret.secretName` });
    (volume.projected?.sources ?? []).forEach((source, index) => {
      const projected = source.secret?.name;
      if (projected)
        found.push({
          name: projected,
          field: `volumes[${volume.name}].projected.sources[${index}].secret.name`,
        });
    });
  }
  return found;
}

/** The ServiceAccount pods run as: `serviceAccountName`, its deprecated alias, or the namespace's default. */
export function serviceAccountOf(spec: IPodSpec): string {
  return spec.serviceAccountName || spec.serviceAccount || "default";
}
