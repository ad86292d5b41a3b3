import type { Version } from "../../release/index.ts";

/**
 * A VirtualService spec as the job found it, with routes to the version going away sent to the kept one
 * (KubeSphere's offline does the same: the service's routes now name the version that stays).
 */
export function restoredService(original: unknown, gone: Version, keep: Version): unknown {
  return renameSubset(structuredClone(original), gone, keep);
}

function renameSubset(value: unknown, gone: Version, keep: Version): unknown {
  if (Array.isArray(value)) return value.map((item) => renameSubset(item, gone, keep));
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  for (const [key, item] of Object.entries(record)) {
    if (key === "subset" && item === gone) record[key] = keep;
    else record[key] = renameSubset(item, gone, keep);
  }
  return record;
}

/** A DestinationRule spec as found, without the subset of the version going away and with the kept one's. */
export function restoredRule(
  original: unknown,
  gone: Version,
  keep: { name: Version; labels: Record<string, string> },
): unknown {
  const spec = structuredClone(original) as { subsets?: { name: string }[] };
  const subsets = (spec.subsets ?? []).filter((subset) => subset.name !== gone);
  if (!subsets.some((subset) => subset.name === keep.name)) subsets.push(keep);
  return { ...spec, subsets };
}
