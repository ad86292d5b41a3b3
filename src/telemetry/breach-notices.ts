// When a failing verdict is worth a post in the job's thread: once when it turns fail, again only when it got
// worse by the namespace's margin or came back after recovering, and a note when it recovers. Pure.
import type { Version } from "../release/index.ts";
import { type Verdict, worsening } from "./analysis.ts";
import type { AnalysisMetric } from "./analysis-words.ts";

/** The breach last posted for a version, while it lasts. */
export interface PostedBreach {
  metric: AnalysisMetric;
  value: number;
  threshold: number;
  text: string;
}

export type FailVerdict = Extract<Verdict, { kind: "fail" }>;

export type BreachNotice =
  | { kind: "breach"; version: Version; verdict: FailVerdict }
  | { kind: "worse"; version: Version; verdict: FailVerdict; before: PostedBreach }
  | { kind: "recovered"; version: Version; before: PostedBreach };

export function noticesFor(
  posted: ReadonlyMap<Version, PostedBreach>,
  verdicts: Record<Version, Verdict>,
  marginOf: (metric: AnalysisMetric) => number,
): { notices: BreachNotice[]; posted: Map<Version, PostedBreach> } {
  const next = new Map(posted);
  const notices: BreachNotice[] = [];
  for (const [version, verdict] of Object.entries(verdicts)) {
    const before = posted.get(version);
    if (verdict.kind === "pass") {
      if (before) {
        notices.push({ kind: "recovered", version, before });
        next.delete(version);
      }
      continue;
    }
    // Settling or too few requests says nothing new: an open breach stays open, none is opened.
    if (verdict.kind !== "fail") continue;
    const now = postedOf(verdict);
    if (!before || family(before.metric) !== family(verdict.metric)) {
      notices.push({ kind: "breach", version, verdict });
      next.set(version, now);
    } else if (worse(before, verdict, marginOf(verdict.metric))) {
      notices.push({ kind: "worse", version, verdict, before });
      next.set(version, now);
    }
  }
  return { notices, posted: next };
}

/** Fixed and relative limits on the same number are one breach getting better or worse, not two. */
function family(metric: AnalysisMetric): string {
  return metric.replace("-vs-stable", "");
}

function worse(before: PostedBreach, verdict: FailVerdict, margin: number): boolean {
  const by = worsening(verdict.metric, before.value, verdict.value, verdict.threshold);
  return by > 0 && by >= margin;
}

export function postedOf(verdict: FailVerdict): PostedBreach {
  return { metric: verdict.metric, value: verdict.value, threshold: verdict.threshold, text: verdict.text };
}
