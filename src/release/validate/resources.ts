import type { ResourceSettings } from "../container-settings.ts";
import type { FieldError } from "../errors.ts";
import { cpuMillicores, isMemoryMiB } from "../quantities.ts";

export function validateResources(resources: ResourceSettings | undefined, at: string): FieldError[] {
  if (!resources) return [];
  const errors: FieldError[] = [];
  const cpu = (key: "cpuRequest" | "cpuLimit"): number | undefined => {
    const value = resources[key];
    if (value === undefined || value === "") return undefined;
    const millicores = cpuMillicores(value);
    if (millicores === undefined) {
      errors.push({
        field: `${at}.${key}`,
        message: "CPU is in cores, more than 0 and in steps of at least 0.001, e.g. 0.5 or 2 (or 500m).",
      });
    }
    return millicores;
  };
  const memory = (key: "memoryRequestMiB" | "memoryLimitMiB"): number | undefined => {
    const value = resources[key];
    if (value === undefined) return undefined;
    if (!isMemoryMiB(value)) {
      errors.push({ field: `${at}.${key}`, message: "Memory is in MiB and must be more than 0, e.g. 128." });
      return undefined;
    }
    return value;
  };
  const cpuRequest = cpu("cpuRequest");
  const cpuLimit = cpu("cpuLimit");
  const memoryRequest = memory("memoryRequestMiB");
  const memoryLimit = memory("memoryLimitMiB");
  if (cpuRequest !== undefined && cpuLimit !== undefined && cpuRequest > cpuLimit) {
    errors.push({ field: `${at}.cpuRequest`, message: "The CPU request cannot be more than the CPU limit." });
  }
  if (memoryRequest !== undefined && memoryLimit !== undefined && memoryRequest > memoryLimit) {
    errors.push({
      field: `${at}.memoryRequestMiB`,
      message: "The memory request cannot be more than the memory limit.",
    });
  }
  return errors;
}
