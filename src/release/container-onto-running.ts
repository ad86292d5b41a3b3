import { isDeepStrictEqual } from "node:util";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { ContainerSettings } from "./container-settings.ts";
import { settingsOfContainer } from "./container-settings-of.ts";
import { containerSpec, HOST_TIME_VOLUME } from "./container-spec.ts";

/** The container fields the wizard's forms describe; every other field of a running container is kept. */
const FORM_FIELDS = [
  "image",
  "imagePullPolicy",
  "command",
  "args",
  "ports",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "lifecycle",
  "securityContext",
] as const;

/**
 * A described container of the new version, built on the running container of the same name: a field the
 * forms left as they showed it stays exactly as it runs (quantities as written, unnamed ports, named probe
 * ports), and only the fields that were changed take the form's value. Editing only the image changes only
 * the image.
 */
export function containerOntoRunning(
  settings: ContainerSettings,
  running: IContainer | undefined,
): IContainer {
  const next = containerSpec(settings);
  if (!running) return next;
  const shown = containerSpec(settingsOfContainer(running, settings.type));
  const result: IContainer = { ...structuredClone(running), name: settings.name };
  const record = result as unknown as Record<string, unknown>;
  for (const field of FORM_FIELDS) {
    if (isDeepStrictEqual(next[field], shown[field])) continue;
    if (next[field] === undefined) delete record[field];
    else record[field] = structuredClone(next[field]);
  }
  if (!isDeepStrictEqual(next.resources, shown.resources)) {
    const resources = mergedResources(running.resources, shown.resources, next.resources);
    if (resources) result.resources = resources;
    else delete result.resources;
  }
  if (!isDeepStrictEqual(next.env, shown.env)) {
    // Variables the form cannot show (the downward API, resource fields) stay as they are.
    const kept = (running.env ?? []).filter(
      (v) => v.valueFrom && !v.valueFrom.configMapKeyRef && !v.valueFrom.secretKeyRef,
    );
    const env = [...(next.env ?? []), ...kept.filter((v) => !next.env?.some((n) => n.name === v.name))];
    if (env.length) result.env = env;
    else delete result.env;
  }
  if (settings.envFrom !== undefined && !isDeepStrictEqual(next.envFrom, shown.envFrom)) {
    // A source kept from the running container keeps what the form does not show (prefix, optional).
    const same = (a: EnvFrom, b: EnvFrom) =>
      (a.configMapRef?.name ?? "") === (b.configMapRef?.name ?? "") &&
      (a.secretRef?.name ?? "") === (b.secretRef?.name ?? "");
    const envFrom = (next.envFrom ?? []).map((s) => (running.envFrom ?? []).find((r) => same(r, s)) ?? s);
    if (envFrom.length) result.envFrom = structuredClone(envFrom);
    else delete result.envFrom;
  }
  if (!isDeepStrictEqual(next.volumeMounts, shown.volumeMounts)) {
    const hostTime = (next.volumeMounts ?? []).filter((m) => m.name === HOST_TIME_VOLUME);
    const mounts =
      settings.volumeMounts === undefined
        ? // Settings that do not speak of mounts keep the running ones; only the host timezone follows them.
          [...(running.volumeMounts ?? []).filter((m) => m.name !== HOST_TIME_VOLUME), ...hostTime]
        : (next.volumeMounts ?? []).map(
            (m) =>
              (running.volumeMounts ?? []).find(
                (r) =>
                  r.name === m.name &&
                  r.mountPath === m.mountPath &&
                  Boolean(r.readOnly) === Boolean(m.readOnly) &&
                  (r.subPath ?? "") === (m.subPath ?? ""),
              ) ?? m,
          );
    if (mounts.length) result.volumeMounts = structuredClone(mounts);
    else delete result.volumeMounts;
  }
  return result;
}

type EnvFrom = NonNullable<IContainer["envFrom"]>[number];

type Resources = IContainer["resources"];

/**
 * CPU and memory from the form where it changed them, as written where it did not (`1Gi` stays `1Gi`); other
 * resources (ephemeral storage, devices) as they run.
 */
function mergedResources(running: Resources, shown: Resources, next: Resources): Resources | undefined {
  const resources: Record<string, unknown> = { ...(running ?? {}) };
  for (const key of ["requests", "limits"] as const) {
    const merged: Record<string, string> = {};
    for (const [name, quantity] of Object.entries(running?.[key] ?? {}))
      if (name !== "cpu" && name !== "memory") merged[name] = quantity as string;
    for (const [name, quantity] of Object.entries(next?.[key] ?? {})) {
      const same = shown?.[key]?.[name] === quantity && running?.[key]?.[name] !== undefined;
      merged[name] = same ? (running?.[key]?.[name] as string) : (quantity as string);
    }
    if (Object.keys(merged).length) resources[key] = merged;
    else delete resources[key];
  }
  return Object.keys(resources).length ? (resources as Resources) : undefined;
}
