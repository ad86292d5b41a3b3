import type { EnvFromSettings, EnvVarSettings, VolumeMountSettings } from "../container-settings.ts";
import type { FieldError } from "../errors.ts";

/** The ConfigMaps and Secrets of the job's namespace, each with its keys. */
export interface NamespaceData {
  configMaps: Record<string, string[]>;
  secrets: Record<string, string[]>;
  /** The image pull Secrets (`kubernetes.io/dockerconfigjson`) by name, when they were read. */
  pullSecrets?: string[];
  /** The volumes of the pod the new version derives from, when known: containers may mount only these. */
  volumes?: string[];
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function validateEnv(env: EnvVarSettings[], at: string, data: NamespaceData): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  env.forEach((variable, index) => {
    const field = `${at}[${index}]`;
    if (!ENV_NAME.test(variable.key)) {
      errors.push({
        field: `${field}.key`,
        message: "Variable names use letters, digits, '_', '-' and '.', and cannot start with a digit.",
      });
    } else if (seen.has(variable.key)) {
      errors.push({ field: `${field}.key`, message: `Variable ${variable.key} is set twice.` });
    }
    seen.add(variable.key);
    if (variable.from && variable.value !== undefined) {
      errors.push({
        field: `${field}.value`,
        message: "Give either a value or a ConfigMap/Secret key, not both.",
      });
    }
    if (variable.from) errors.push(...validateReference(variable.from, field, data));
  });
  return errors;
}

function validateReference(
  from: NonNullable<EnvVarSettings["from"]>,
  field: string,
  data: NamespaceData,
): FieldError[] {
  const pool =
    from.kind === "ConfigMap" ? data.configMaps : from.kind === "Secret" ? data.secrets : undefined;
  if (!pool) return [{ field: `${field}.from.kind`, message: "Choose a ConfigMap or a Secret." }];
  const keys = Object.hasOwn(pool, from.name) ? pool[from.name] : undefined;
  if (!keys) {
    return [
      { field: `${field}.from.name`, message: `There is no ${from.kind} ${from.name} in this project.` },
    ];
  }
  if (!keys.includes(from.key)) {
    return [{ field: `${field}.from.key`, message: `${from.kind} ${from.name} has no key ${from.key}.` }];
  }
  return [];
}

const SAME_PROJECT =
  "the ConfigMap or Secret to be referenced must belong to the same project as the container";

/** Batch Reference: whole ConfigMaps and Secrets of the same project, each once. */
export function validateEnvFrom(sources: EnvFromSettings[], at: string, data: NamespaceData): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  sources.forEach((source, index) => {
    const field = `${at}[${index}]`;
    if (source.kind !== "ConfigMap" && source.kind !== "Secret") {
      errors.push({ field: `${field}.kind`, message: "Choose a ConfigMap or a Secret." });
      return;
    }
    if (source.name.includes("/")) {
      errors.push({ field: `${field}.project`, message: `${source.kind} ${source.name}: ${SAME_PROJECT}.` });
      return;
    }
    const key = `${source.kind}/${source.name}`;
    if (seen.has(key))
      errors.push({ field: `${field}.name`, message: `${source.kind} ${source.name} is referenced twice.` });
    seen.add(key);
    const pool = source.kind === "ConfigMap" ? data.configMaps : data.secrets;
    if (!Object.hasOwn(pool, source.name))
      errors.push({
        field: `${field}.name`,
        message: `There is no ${source.kind} ${source.name} in this project: ${SAME_PROJECT}.`,
      });
  });
  return errors;
}

/** Mounts of the pod's existing volumes: absolute paths, each once. */
export function validateMounts(mounts: VolumeMountSettings[], at: string, data: NamespaceData): FieldError[] {
  const errors: FieldError[] = [];
  const paths = new Set<string>();
  mounts.forEach((mount, index) => {
    const field = `${at}[${index}]`;
    if (data.volumes && !data.volumes.includes(mount.volume)) {
      const known = data.volumes.length
        ? `one of its volumes (${data.volumes.join(", ")})`
        : "none: it has no volumes";
      errors.push({
        field: `${field}.volume`,
        message: `The pod has no volume ${mount.volume}; a container may mount ${known}.`,
      });
    }
    if (!mount.mountPath.startsWith("/") || mount.mountPath.includes(":"))
      errors.push({
        field: `${field}.mountPath`,
        message: "Mount paths are absolute and have no ':', e.g. /var/log/app.",
      });
    else if (paths.has(mount.mountPath))
      errors.push({ field: `${field}.mountPath`, message: `${mount.mountPath} is mounted twice.` });
    paths.add(mount.mountPath);
    if (
      mount.subPath !== undefined &&
      (mount.subPath.startsWith("/") || mount.subPath.split("/").includes(".."))
    )
      errors.push({
        field: `${field}.subPath`,
        message: "A sub-path is relative to the volume, without '..'.",
      });
  });
  return errors;
}
