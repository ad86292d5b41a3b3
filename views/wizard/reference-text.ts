import type { EnvFromSettings, VolumeMountSettings } from "../../src/release/index.ts";

/** Batch Reference, one per line: `configmap:name` or `secret:name` (of the same project). */
export const ENV_FROM_EXAMPLE = "configmap:app-settings\nsecret:app-credentials";
/** Volume mounts, one per line: the pod's volume, the path, then `ro` for read-only and `sub=path` for a sub-path. */
export const MOUNT_EXAMPLE = "tmp /tmp\nconfig /etc/app ro sub=app";

export function formatEnvFrom(sources: EnvFromSettings[]): string {
  return sources.map((s) => `${s.kind.toLowerCase()}:${s.name}`).join("\n");
}

const lines = (text: string | undefined) =>
  (text ?? "")
    .split("\n")
    .map((line, i) => ({ line: line.trim(), n: i + 1 }))
    .filter(({ line }) => line !== "");

export function parseEnvFrom(text: string | undefined): { envFrom: EnvFromSettings[]; problems: string[] } {
  const envFrom: EnvFromSettings[] = [];
  const problems: string[] = [];
  for (const { line, n } of lines(text)) {
    const match = /^(configmap|secret):(\S+)$/i.exec(line);
    if (!match) {
      problems.push(`Line ${n}: write configmap:name or secret:name, e.g. configmap:app-settings.`);
      continue;
    }
    envFrom.push({
      kind: match[1]?.toLowerCase() === "secret" ? "Secret" : "ConfigMap",
      name: match[2] as string,
    });
  }
  return { envFrom, problems };
}

export function formatMounts(mounts: VolumeMountSettings[]): string {
  return mounts
    .map((m) =>
      [m.volume, m.mountPath, ...(m.readOnly ? ["ro"] : []), ...(m.subPath ? [`sub=${m.subPath}`] : [])].join(
        " ",
      ),
    )
    .join("\n");
}

export function parseMounts(text: string | undefined): { mounts: VolumeMountSettings[]; problems: string[] } {
  const mounts: VolumeMountSettings[] = [];
  const problems: string[] = [];
  for (const { line, n } of lines(text)) {
    const [volume, mountPath, ...rest] = line.split(/\s+/);
    const readOnly = rest.includes("ro");
    const sub = rest.find((word) => word.startsWith("sub="))?.slice(4);
    const unknown = rest.filter((word) => word !== "ro" && !word.startsWith("sub="));
    if (!volume || !mountPath || unknown.length > 0) {
      problems.push(`Line ${n}: write the volume, the path, then ro for read-only, e.g. tmp /tmp ro.`);
      continue;
    }
    mounts.push({ volume, mountPath, ...(readOnly ? { readOnly } : {}), ...(sub ? { subPath: sub } : {}) });
  }
  return { mounts, problems };
}
