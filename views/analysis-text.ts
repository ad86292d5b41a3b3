import type { JobAnalysis, Verdict } from "../src/telemetry/index.ts";
import { formatMs, formatRatio } from "../src/telemetry/index.ts";

const MARK = { pass: ":white_check_mark:", fail: ":x:", inconclusive: ":hourglass_flowing_sand:" } as const;

/** One verdict in one line: ✅ / ❌ / ⏳, the version, and the numbers it was judged on. */
export function verdictLine(verdict: Verdict, analysis: Pick<JobAnalysis, "stable">): string {
  const role = verdict.version === analysis.stable ? " (stable)" : "";
  switch (verdict.kind) {
    case "pass": {
      const s = verdict.sample;
      return `${MARK.pass} *${verdict.version}*${role} passes: success ${formatRatio(s.successRate)}, p99 ${formatMs(s.p99Ms)}, ${Math.round(s.requests).toLocaleString("en-US")} requests in the last check`;
    }
    case "fail": {
      const checks =
        verdict.failedChecks === 1 ? "1 failed check" : `${verdict.failedChecks} failed checks in a row`;
      return `${MARK.fail} *${verdict.version}*${role} fails (${checks}): ${verdict.text}`;
    }
    case "inconclusive":
      return `${MARK.inconclusive} *${verdict.version}*${role} inconclusive: ${verdict.text}`;
  }
}

/** The new version's verdict first, then the stable one's. */
export function verdictLines(analysis: JobAnalysis): string[] {
  const order = [analysis.newVersion, analysis.stable];
  return order.flatMap((version) => {
    const verdict = analysis.verdicts[version];
    return verdict ? [verdictLine(verdict, analysis)] : [];
  });
}
