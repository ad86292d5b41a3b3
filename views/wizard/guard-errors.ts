import type { ContainerSettings, NewVersionGuard } from "../../src/release/index.ts";
import { guardNewVersionSettings, HOST_TIME_VOLUME } from "../../src/release/index.ts";

/**
 * The pod-spec guard's refusals for one container of the wizard, on the blocks of the form being saved: each
 * refusal names its field and rule (privileged, root, capabilities, token Secrets, host paths, registries).
 * Refusals about other containers or the pod as a whole are left to the Create step.
 */
export function guardErrorsOf(
  guard: NewVersionGuard | undefined,
  containers: ContainerSettings[],
  index: number,
  blockOf: (field: string) => string | undefined,
): Record<string, string> {
  const container = containers[index];
  if (!guard || !container) return {};
  const prefix = `${container.type === "init" ? "initContainers" : "containers"}[${container.name}].`;
  const errors = guardNewVersionSettings(guard, { replicas: 1, containers: { mode: "full", containers } });
  const blocks: Record<string, string> = {};
  for (const error of errors) {
    const local = error.field.startsWith(prefix)
      ? error.field.slice(prefix.length)
      : error.field === `volumes[${HOST_TIME_VOLUME}].hostPath` && container.syncHostTimezone
        ? "syncHostTimezone"
        : container.pullSecret && error.field === `imagePullSecrets[${container.pullSecret}]`
          ? "pullSecret"
          : undefined;
    const block = local === undefined ? undefined : blockOf(local);
    if (block) blocks[block] = blocks[block] ? `${blocks[block]} ${error.message}` : error.message;
  }
  return blocks;
}
