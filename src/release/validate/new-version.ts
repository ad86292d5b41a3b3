import type { NewVersionSettings } from "../container-settings.ts";
import type { FieldError } from "../errors.ts";
import { validateContainers } from "./container.ts";
import type { NamespaceData } from "./env.ts";
import { validateImage } from "./image.ts";
import { validateVersionNumber } from "./names.ts";

/** A sane ceiling for one version's replicas, so a typo does not start a thousand pods. */
export const MAX_REPLICAS = 100;

export interface NewVersionContext {
  /** Versions of the service already running. */
  existingVersions: string[];
  /** Container names of the stable version, for "replace the image" changes. */
  stableContainers: string[];
  namespace: NamespaceData;
}

export function validateReplicas(replicas: number, field = "replicas"): FieldError[] {
  if (Number.isInteger(replicas) && replicas >= 1 && replicas <= MAX_REPLICAS) return [];
  return [{ field, message: `Replicas are a whole number from 1 to ${MAX_REPLICAS}.` }];
}

export function validateNewVersion(
  input: { version: string; settings: NewVersionSettings },
  context: NewVersionContext,
): FieldError[] {
  const errors = [
    ...validateVersionNumber(input.version, context.existingVersions),
    ...validateReplicas(input.settings.replicas),
  ];
  const change = input.settings.containers;
  if (change.mode === "full") return [...errors, ...validateContainers(change.containers, context.namespace)];
  const entries = Object.entries(change.images);
  if (entries.length === 0)
    errors.push({ field: "images", message: "Enter a new image for at least one container." });
  for (const [name, image] of entries) {
    if (!context.stableContainers.includes(name)) {
      errors.push({
        field: `images.${name}`,
        message: `The current version has no container ${name}; choose one of ${context.stableContainers.join(", ")}.`,
      });
    }
    errors.push(...validateImage(image, `images.${name}`));
  }
  return errors;
}
