import { verdictLines } from "../../../views/analysis-text.ts";
import { buildNote } from "../../../views/desk-message.ts";
import { type Policy, policyFor } from "../../approvals/index.ts";
import type { ReleaseDesk } from "../../desk/types.ts";
import type { ReleaseJob } from "../../release/index.ts";
import type { AuditLog } from "../../store/index.ts";
import { formatShare, type JobAnalysis, METRIC_WORDS, rollbackDue } from "../../telemetry/index.ts";
import type { JobCards } from "../job-card.ts";
import { mentionsFor } from "./mentions.ts";

/** The actor recorded for what the namespace's policy makes Graydesk do by itself. */
export const POLICY_ACTOR = "graydesk-policy";

export interface AutoRollbackDeps {
  desk: ReleaseDesk;
  cards: JobCards;
  audit: AuditLog;
  policy: Policy;
}

/**
 * Where the namespace's policy has `autoRollback`, moves all traffic back to the stable version after that many
 * failed checks in a row: audited first as a policy action with the evidence, then applied like any approved
 * plan, then told in the job's thread. True when it rolled back.
 */
export async function autoRollback(
  deps: AutoRollbackDeps,
  job: ReleaseJob,
  analysis: JobAnalysis,
): Promise<boolean> {
  const rules = policyFor(deps.policy, job.namespace, job.cluster);
  const verdict = rollbackDue(job, analysis, rules);
  if (!verdict || !rules.autoRollback) return false;
  const rule = `autoRollback.afterFailedChecks: ${rules.autoRollback.afterFailedChecks}`;
  const plan = await deps.desk.planChange(job.id, { kind: "rollback" }, POLICY_ACTOR);
  await deps.audit.append({
    kind: "policy.rollback",
    actor: POLICY_ACTOR,
    job: job.name,
    namespace: job.namespace,
    detail: {
      rule,
      plan: plan.id,
      summary: plan.summary,
      version: verdict.version,
      metric: verdict.metric,
      value: verdict.value,
      threshold: verdict.threshold,
      failedChecks: verdict.failedChecks,
      evidence: verdict.text,
      configured: analysis.since?.configured,
    },
  });
  await deps.desk.applyPlan(plan.id, POLICY_ACTOR);
  const before = analysis.since?.configured[verdict.version];
  const lines = [
    `:leftwards_arrow_with_hook: Graydesk moved all traffic of *${job.name}* back to *${job.stableVersion}* by itself` +
      (before === undefined ? "." : ` (${verdict.version} had ${formatShare(before)}).`),
    `Why: ${verdict.version} failed ${verdict.failedChecks} checks in a row on ${METRIC_WORDS[verdict.metric]}, and the namespace's policy says \`${rule}\`.`,
    ...verdictLines(analysis),
  ];
  const mentions = mentionsFor(job, rules);
  if (mentions.length > 0) lines.push(mentions.join(" "));
  await deps.cards.thread(job.id, buildNote(lines.join("\n")));
  return true;
}
