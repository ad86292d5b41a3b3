/** Shared figures for benchmarks: percentiles over samples in milliseconds, printed as JSON lines. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Every record emitted in this process, for the summary table `npm run bench` ends with. */
export const emitted: Record<string, unknown>[] = [];

export function emit(record: Record<string, unknown>): void {
  emitted.push(record);
  process.stdout.write(`${JSON.stringify(record)}\n`);
}
