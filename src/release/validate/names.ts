import type { FieldError } from "../errors.ts";

export const MAX_JOB_NAME = 253;
export const MAX_VERSION = 16;
export const MAX_CONTAINER_NAME = 63;
export const MAX_PORT_NAME = 15;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Job names become Kubernetes object names (DNS-1123 subdomain without dots, as the console allows). */
export function validateJobName(name: string, field = "name"): FieldError[] {
  if (name.length === 0) return [{ field, message: "Give the job a name." }];
  if (name.length > MAX_JOB_NAME)
    return [{ field, message: `Job names can be at most ${MAX_JOB_NAME} characters.` }];
  if (!DNS_LABEL.test(name)) {
    return [
      {
        field,
        message:
          "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit.",
      },
    ];
  }
  return [];
}

/** The version number becomes the `version` label and the Deployment name suffix. */
export function validateVersionNumber(version: string, existing: string[], field = "version"): FieldError[] {
  if (version.length === 0) return [{ field, message: "Give the new version a number, e.g. v2." }];
  if (version.length > MAX_VERSION) {
    return [{ field, message: `Version numbers can be at most ${MAX_VERSION} characters.` }];
  }
  if (!/^[a-z0-9]+$/.test(version)) {
    return [{ field, message: "Version numbers use lowercase letters and digits only, e.g. v2." }];
  }
  if (existing.includes(version)) {
    return [{ field, message: `Version ${version} is already deployed; choose another version number.` }];
  }
  return [];
}

export function validateContainerName(name: string, field: string): FieldError[] {
  if (name.length === 0) return [{ field, message: "Give the container a name." }];
  if (name.length > MAX_CONTAINER_NAME) {
    return [{ field, message: `Container names can be at most ${MAX_CONTAINER_NAME} characters.` }];
  }
  if (!DNS_LABEL.test(name)) {
    return [
      {
        field,
        message:
          "Container names use lowercase letters, digits and hyphens, starting and ending with a letter or digit.",
      },
    ];
  }
  return [];
}

/** Kubernetes IANA_SVC_NAME: what a container port name must be. */
export function isPortName(name: string): boolean {
  return (
    name.length <= MAX_PORT_NAME &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) &&
    /[a-z]/.test(name) &&
    !name.includes("--")
  );
}
