/**
 * The JSON merge patch (RFC 7386) that turns `before` into `after`: changed keys carry their new value,
 * removed keys null, arrays are replaced whole. Undefined when nothing differs.
 */
export function mergePatchOf(before: unknown, after: unknown): Record<string, unknown> | undefined {
  if (!isRecord(before) || !isRecord(after)) return undefined;
  // Keys are data (a header named __proto__ inside a spec): a null-prototype record keeps every one of them.
  const patch: Record<string, unknown> = Object.create(null);
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const from = before[key];
    const to = after[key];
    if (to === undefined) {
      if (from !== undefined) patch[key] = null;
    } else if (isRecord(from) && isRecord(to)) {
      const inner = mergePatchOf(from, to);
      if (inner) patch[key] = inner;
    } else if (JSON.stringify(from) !== JSON.stringify(to)) {
      patch[key] = to;
    }
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
