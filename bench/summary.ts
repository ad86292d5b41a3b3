/** The short table `npm run bench` prints on stderr after its JSON lines: one row per record, key figures only. */
const FIGURES = [
  "p50Ms",
  "p99Ms",
  "medianMs",
  "p50Ratio",
  "startupMs",
  "wallMs",
  "cpuMs",
  "approveToApplyingP50Ms",
  "fiftyConcurrentApprovalsP99Ms",
  "p99Ratio",
  "medianOfRoundP99Ratios",
  "requests",
  "kubeRequests",
  "perObjectChanged",
  "idleRssMb",
  "afterGcRssMb",
  "heapGrowthMb",
  "seconds",
  "met",
  "flat",
  "bytesPerOpen",
];
const LABELS = [
  "mode",
  "app",
  "what",
  "operation",
  "of",
  "existingEvents",
  "round",
  "activeJobs",
  "finishedJobs",
  "events",
  "read",
];

export function summaryTable(records: readonly Record<string, unknown>[]): string {
  const rows = records.map((r) => {
    const label = LABELS.map((k) => r[k])
      .filter((v) => v !== undefined)
      .join(" ");
    const figures = FIGURES.filter((k) => r[k] !== undefined)
      .map((k) => `${k}=${typeof r[k] === "object" ? JSON.stringify(r[k]) : String(r[k])}`)
      .join("  ");
    return [String(r.bench ?? ""), label, figures];
  });
  const width = (i: number) => Math.max(...rows.map((row) => (row[i] ?? "").length), 0);
  const [w0, w1] = [width(0), Math.min(width(1), 48)];
  return rows
    .map(([bench, label, figures]) => `${(bench ?? "").padEnd(w0)}  ${(label ?? "").padEnd(w1)}  ${figures}`)
    .join("\n");
}
