import type { EnvVarSettings } from "../container-settings.ts";
import type { FieldError } from "../errors.ts";

/** The ConfigMaps and Secrets of the job's namespace, each with its keys. */
export interface NamespaceData {
  configMaps: Record<string, string[]>;
  secrets: Record<string, string[]>;
  /** The image pull Secrets (`kubernetes.io/dockerconfigjson`) by name, when they were read. */
  pullSecrets?: string[];
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
