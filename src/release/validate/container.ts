import type { ContainerSettings, ProbeKind } from "../container-settings.ts";
import { splitCommaList } from "../container-settings.ts";
import type { FieldError } from "../errors.ts";
import type { NamespaceData } from "./env.ts";
import { validateEnv, validateEnvFrom, validateMounts } from "./env.ts";
import { validateAction, validateProbe } from "./handlers.ts";
import { validateImage } from "./image.ts";
import { validateContainerName } from "./names.ts";
import { validatePortList } from "./ports.ts";
import { validateResources } from "./resources.ts";
import { validateSecurity } from "./security.ts";

const PULL_POLICIES = ["IfNotPresent", "Always", "Never"];
const PROBE_KINDS: ProbeKind[] = ["liveness", "readiness", "startup"];

/** Every container of the new version's pod (init and work), checked together for unique names. */
export function validateContainers(
  containers: ContainerSettings[],
  data: NamespaceData,
  at = "containers",
): FieldError[] {
  const errors: FieldError[] = [];
  if (!containers.some((container) => container.type === "work")) {
    errors.push({
      field: at,
      message: "Add at least one work container: init containers alone do not serve.",
    });
  }
  const names = new Set<string>();
  const portNames = new Set<string>();
  containers.forEach((container, index) => {
    const field = `${at}[${index}]`;
    if (names.has(container.name)) {
      errors.push({
        field: `${field}.name`,
        message: `Container name ${container.name} is already used in this pod.`,
      });
    }
    names.add(container.name);
    errors.push(...validateContainer(container, field, data, portNames));
  });
  return errors;
}

export function validateContainer(
  container: ContainerSettings,
  at: string,
  data: NamespaceData,
  portNames: Set<string> = new Set(),
): FieldError[] {
  const errors = [
    ...validateContainerName(container.name, `${at}.name`),
    ...validateImage(container.image, `${at}.image`),
  ];
  if (container.type !== "init" && container.type !== "work") {
    errors.push({ field: `${at}.type`, message: "Choose Init Container or Work Container." });
  }
  if (container.imagePullPolicy !== undefined && !PULL_POLICIES.includes(container.imagePullPolicy)) {
    errors.push({
      field: `${at}.imagePullPolicy`,
      message: "Choose Use Local Image First, Pull Image Always or Use Local Image Only.",
    });
  }
  errors.push(...validateResources(container.resources, `${at}.resources`));
  errors.push(...validatePortList(container.ports ?? [], `${at}.ports`, portNames));
  for (const kind of PROBE_KINDS) {
    const probe = container.probes?.[kind];
    if (probe) errors.push(...validateProbe(kind, probe, `${at}.probes.${kind}`));
  }
  if (container.type === "init" && (container.probes?.liveness || container.probes?.readiness)) {
    errors.push({
      field: `${at}.probes`,
      message: "Init containers run to completion: give them no liveness or readiness check.",
    });
  }
  for (const hook of ["postStart", "preStop"] as const) {
    const action = container.lifecycle?.[hook];
    if (action) errors.push(...validateAction(action, `${at}.lifecycle.${hook}`));
  }
  if (
    container.command !== undefined &&
    container.command.trim() !== "" &&
    splitCommaList(container.command).length === 0
  ) {
    errors.push({
      field: `${at}.command`,
      message: "Separate the command and its parts with commas, e.g. sh,-c.",
    });
  }
  if (
    container.args !== undefined &&
    container.args.trim() !== "" &&
    splitCommaList(container.args).length === 0
  ) {
    errors.push({ field: `${at}.args`, message: "Separate parameters with commas, e.g. --port,8080." });
  }
  errors.push(...validateEnv(container.env ?? [], `${at}.env`, data));
  errors.push(...validateEnvFrom(container.envFrom ?? [], `${at}.envFrom`, data));
  errors.push(...validateMounts(container.volumeMounts ?? [], `${at}.volumeMounts`, data));
  if (
    container.pullSecret !== undefined &&
    data.pullSecrets &&
    !data.pullSecrets.includes(container.pullSecret)
  ) {
    errors.push({
      field: `${at}.pullSecret`,
      message: `There is no image pull Secret ${container.pullSecret} in this project: create a Secret containing the information for the private image registry (kubernetes.io/dockerconfigjson), then select it.`,
    });
  }
  errors.push(...validateSecurity(container.securityContext, `${at}.securityContext`));
  if (container.syncHostTimezone !== undefined && typeof container.syncHostTimezone !== "boolean") {
    errors.push({ field: `${at}.syncHostTimezone`, message: "Sync host timezone is on or off." });
  }
  return errors;
}
