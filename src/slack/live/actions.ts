import type { App } from "@slack/bolt";
import { buildNote } from "../../../views/desk-message.ts";
import { ids } from "../../../views/ids.ts";
import { escapeText, jobScope, UserFacingError } from "../../release/index.ts";
import type { SlackDeps } from "../deps.ts";
import { type ActionCall, onButton } from "../desk/on-action.ts";
import { postTraces } from "./traces.ts";

/** The card's Chart and Traces buttons, and Request rollback on a health breach. */
export function registerLiveActions(app: App, deps: SlackDeps): void {
  const may = async (call: ActionCall, action: "job.chart" | "job.traces") => {
    const job = deps.desk.job(call.value);
    if (job) await deps.authorizer.require(call.actor, action, jobScope(job));
  };
  onButton(app, deps, ids.jobCard.chart, async (call) => {
    await may(call, "job.chart");
    const result = await deps.charts.upload(call.value);
    if (!result.ok)
      await call.answer(buildNote(`:chart_with_upwards_trend: No chart: ${escapeText(result.reason)}`));
  });
  onButton(app, deps, ids.jobCard.traces, async (call) => {
    await may(call, "job.traces");
    const result = await postTraces(deps, call.value);
    if (!result.ok) await call.answer(buildNote(`:mag: No traces: ${escapeText(result.reason)}`));
  });
  onButton(app, deps, ids.breach.requestRollback, async (call) => {
    const job = deps.desk.job(call.value);
    if (!job)
      throw new UserFacingError(
        "unknown-job",
        "That release job does not exist (any more). Nothing changed.",
      );
    // The normal path: the clicker must be allowed to request, and someone allowed must approve.
    const request = await deps.approvals.requestChange({
      jobId: job.id,
      change: { kind: "rollback" },
      actor: call.actor,
      ...(call.channel ? { channel: call.channel } : {}),
    });
    await call.answer(
      buildNote(`:hourglass: Asked for approval to *${request.operation}* on *${job.name}*.`),
    );
  });
}
