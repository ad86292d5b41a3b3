/**
 * Orders two strings by their UTF-16 code units: the order of ISO times, Kubernetes names and versions, the same
 * on every machine. `localeCompare` would give the same answers here, but it loads ICU's collation tables, about
 * 2 MB of the process's resident memory, for names that are plain ASCII.
 */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
