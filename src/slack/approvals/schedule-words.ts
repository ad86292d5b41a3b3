import type { NamespacePolicy } from "../../approvals/index.ts";
import type { ReleaseJob } from "../../release/index.ts";
import type { StepSchedule } from "../../schedule/index.ts";

/** How often a check judges the new version and how many requests it needs, for the health gate's words. */
export interface GateFacts {
  minRequests: number;
}

/**
 * The words of a step schedule's approval request: every step with what it sends where and when, and the
 * health gate that decides whether a step applies by itself. Approvers approve exactly this.
 */
export function scheduleWords(
  job: ReleaseJob,
  schedule: Pick<StepSchedule, "percents" | "everyMinutes" | "next">,
  rules: Pick<NamespacePolicy, "autoSteps">,
  gate: GateFacts,
): { operation: string; summary: string } {
  const next = job.newVersion.version;
  const stable = job.stableVersion;
  const shares = schedule.percents.map((p) => `${p} %`).join(" → ");
  const steps = schedule.percents
    .slice(schedule.next)
    .map((p, i) => {
      const when =
        i === 0 ? "once approved" : `${i * schedule.everyMinutes} min after the first step at the earliest`;
      return `${i + 1}. ${next} ${p} %, ${stable} ${100 - p} % (${when})`;
    })
    .join("; ");
  const gateWords = rules.autoSteps
    ? `Health gate: a due step applies by itself only when the analysis of ${next} passes, judged on at least ${gate.minRequests} requests per check; while there are fewer requests (or no data) the step waits, and a failing check pauses the schedule.`
    : `Health gate: this namespace does not allow automatic steps, so each due step is also asked for approval; a failing check pauses the schedule.`;
  return {
    operation: `run the step schedule ${shares} every ${schedule.everyMinutes} min`,
    summary: `${job.service.name}: ${steps}. Every ${schedule.everyMinutes} min. ${gateWords}`,
  };
}
