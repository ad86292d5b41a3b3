import type { StepHealth } from "../../schedule/index.ts";
import type { JobAnalysis } from "../../telemetry/index.ts";

/**
 * A step schedule's view of the analysis: any failing version pauses it, a passing new version (with a stable
 * one not failing) lets an automatic step go, anything inconclusive makes it wait for more checks.
 */
export function stepHealth(prometheusConfigured: boolean, analysis: JobAnalysis): StepHealth {
  if (!prometheusConfigured)
    return { status: "unknown", reason: "Live health is off: PROMETHEUS_URL is not set." };
  const verdicts = [analysis.verdicts[analysis.newVersion], analysis.verdicts[analysis.stable]];
  const failing = verdicts.flatMap((v) => (v?.kind === "fail" ? [v.text] : []));
  if (failing.length > 0) return { status: "breach", reasons: failing };
  const next = verdicts[0];
  if (next?.kind === "pass") return { status: "ok" };
  return { status: "unknown", reason: next?.text ?? "no analysis yet", wait: true };
}
