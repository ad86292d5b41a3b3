/** The paths (`spec.http[0].route[1].weight`) where two plain objects differ; empty when they are equal. */
export function changed(before: unknown, after: unknown, path = ""): string[] {
  if (Object.is(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const paths: string[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      paths.push(...changed(before[i], after[i], `${path}[${i}]`));
    }
    return paths;
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((key) => changed(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return [path || "."];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
