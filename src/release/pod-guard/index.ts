import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { NewVersionSettings } from "../container-settings.ts";
import { newVersionPodSpec } from "../deployment.ts";
import type { FieldError } from "../errors.ts";
import { type PodSecurityLevel, podSecurityViolations } from "./pod-security.ts";
import { containersOf, secretReferences, serviceAccountOf } from "./pod-walk.ts";
import { NO_RAISE, raisedPrivileges } from "./privilege.ts";
import { registryAllowed, registryOf } from "./registries.ts";

export { ENFORCE_LABEL, type PodSecurityLevel, podSecurityLevel } from "./pod-security.ts";
export { secretReferences } from "./pod-walk.ts";
export { imageLocation, normalRegistryEntry, registryAllowed, registryOf } from "./registries.ts";

export const SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";
/** The Secret types a pod may pull images with. */
export const PULL_SECRET_TYPES = ["kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"];

export interface PodGuardInput {
  stable: IPodSpec;
  next: IPodSpec;
  stableVersion: string;
  /** The namespace policy's extra registries (or `registry/path` prefixes); the stable images' registries are always allowed. */
  allowedRegistries?: readonly string[];
  /** The type of each Secret in the namespace, by name (only the new pod's references are looked up). */
  secretTypes: ReadonlyMap<string, string>;
  /** The namespace's Pod Security Admission level, when its enforce label sets one. */
  podSecurity?: PodSecurityLevel;
}

/**
 * The new version's pod against the stable one: no more privilege, the same ServiceAccount, no ServiceAccount
 * token Secrets, images from allowed registries, and the namespace's Pod Security level. Each refusal names the
 * field and the rule.
 */
export function guardPodSpec(input: PodGuardInput): FieldError[] {
  const { stable, next, stableVersion } = input;
  const errors = raisedPrivileges(stable, next, stableVersion);
  const account = serviceAccountOf(next);
  if (account !== serviceAccountOf(stable)) {
    errors.push({
      field: "serviceAccountName",
      message: `serviceAccountName: runs as ServiceAccount ${account}, not ${stableVersion}'s ${serviceAccountOf(stable)} — ${NO_RAISE}.`,
    });
  }
  const stableSecrets = new Set(secretReferences(stable).map((ref) => ref.name));
  for (const ref of secretReferences(next)) {
    if (input.secretTypes.get(ref.name) === SERVICE_ACCOUNT_TOKEN && !stableSecrets.has(ref.name)) {
      errors.push({
        field: ref.field,
        message: `${ref.field}: Secret ${ref.name} is a ServiceAccount token — a new version may not read ServiceAccount token Secrets.`,
      });
    } else if (
      ref.field.startsWith("imagePullSecrets[") &&
      !stableSecrets.has(ref.name) &&
      !PULL_SECRET_TYPES.includes(input.secretTypes.get(ref.name) ?? "")
    ) {
      errors.push({
        field: ref.field,
        message: `${ref.field}: Secret ${ref.name} is not an image pull Secret of this namespace (kubernetes.io/dockerconfigjson) — a pod pulls images only with a registry's login Secret.`,
      });
    }
  }
  errors.push(...registryProblems(input));
  if (input.podSecurity) errors.push(...podSecurityViolations(next, input.podSecurity));
  return errors;
}

function registryProblems({ stable, next, allowedRegistries = [] }: PodGuardInput): FieldError[] {
  const stableRegistries = containersOf(stable).flatMap(({ container }) =>
    container.image ? [registryOf(container.image)] : [],
  );
  const allowed = [...new Set([...stableRegistries, ...allowedRegistries])];
  return containersOf(next).flatMap(({ container, at }) => {
    if (!container.image || registryAllowed(container.image, allowed)) return [];
    const field = `${at}.image`;
    return [
      {
        field,
        message: `${field}: ${registryOf(container.image)} is not one of this namespace's registries (${allowed.join(", ")}) — images come only from the namespace's allowed registries.`,
      },
    ];
  });
}

/**
 * What the guard knows of a namespace and its service's stable version, as plain data: the wizard keeps it while a
 * container form is open, so each save is checked there and then (inline errors), without a cluster call.
 */
export interface NewVersionGuard {
  stableVersion: string;
  stablePod: IPodSpec;
  secretTypes: [string, string][];
  podSecurity?: PodSecurityLevel;
  allowedRegistries?: string[];
}

/**
 * The Secrets the new version's pod would reference that the stable pod does not: the only ones whose type the
 * guard looks up, so with none the namespace's Secrets need not be read.
 */
export function newSecretReferences(stablePod: IPodSpec, settings: NewVersionSettings): string[] {
  let next: IPodSpec;
  try {
    next = newVersionPodSpec(stablePod, settings);
  } catch {
    return [];
  }
  const stable = new Set(secretReferences(stablePod).map((ref) => ref.name));
  return [...new Set(secretReferences(next).map((ref) => ref.name))].filter((name) => !stable.has(name));
}

/** The guard over the pod a new version's settings would run. */
export function guardNewVersionSettings(guard: NewVersionGuard, settings: NewVersionSettings): FieldError[] {
  let next: IPodSpec;
  try {
    next = newVersionPodSpec(guard.stablePod, settings);
  } catch {
    // Settings naming containers the stable pod lacks are refused by validation, field by field.
    return [];
  }
  return guardPodSpec({
    stable: guard.stablePod,
    next,
    stableVersion: guard.stableVersion,
    secretTypes: new Map(guard.secretTypes),
    ...(guard.allowedRegistries ? { allowedRegistries: guard.allowedRegistries } : {}),
    ...(guard.podSecurity ? { podSecurity: guard.podSecurity } : {}),
  });
}
