import type { ReleaseJob, TrafficPolicy } from "../src/release/index.ts";
import { describeRule, splitView } from "../src/release/index.ts";

const CELLS = 10;

/** A percentage as a ten-cell text bar, e.g. `v1 ████████░░ 80 %`: readable in any Slack client. */
export function bar(label: string, percent: number, width = 0): string {
  const clamped = Math.max(0, Math.min(100, percent));
  const filled = Math.round(clamped / CELLS);
  return `${label.padEnd(width)} ${"█".repeat(filled)}${"░".repeat(CELLS - filled)} ${clamped} %`;
}

/** The served split as bars, then the mirror copy and the request conditions, one line each. */
export function trafficLines(
  job: Pick<ReleaseJob, "stableVersion" | "newVersion">,
  traffic: TrafficPolicy,
  /** Only these versions get a bar (a finished job's card leaves out the version it removed). */
  only?: string[],
): string[] {
  const view = splitView(job, traffic);
  const versions = Object.keys(view.served).filter((v) => !only || only.includes(v));
  const width = Math.max(0, ...versions.map((v) => v.length));
  const lines = versions.map((v) => bar(v, view.served[v] ?? 0, width));
  if (view.mirror)
    lines.push(`mirror → ${view.mirror.to} ${view.mirror.percent} % (copies, responses dropped)`);
  if (view.match) {
    lines.push(`requests with ${view.match.rules.map(describeRule).join(" and ")} → ${view.match.to}`);
  }
  return lines;
}

/** One line for a traffic policy, for thread notes and lists. */
export function trafficSummary(
  job: Pick<ReleaseJob, "stableVersion" | "newVersion">,
  traffic: TrafficPolicy,
): string {
  const view = splitView(job, traffic);
  const served = Object.entries(view.served)
    .map(([v, p]) => `${v} ${p} %`)
    .join(", ");
  if (view.mirror) return `${served}; mirror ${view.mirror.percent} % → ${view.mirror.to}`;
  if (view.match)
    return `${view.match.rules.map(describeRule).join(" and ")} → ${view.match.to}, others → ${job.stableVersion}`;
  return served;
}
