import type { VersionInfo } from "../../src/desk/types.ts";

/** The version serving today: the one with most replicas (ties: the first the cluster listed). */
export function stableVersionOf<T extends Pick<VersionInfo, "replicas">>(versions: T[]): T | undefined {
  let best: T | undefined;
  for (const v of versions) if (!best || v.replicas > best.replicas) best = v;
  return best;
}
