import type { App } from "@slack/bolt";
import { buildShiftModal, buildTakeOverModal } from "../../../views/change-modals.ts";
import { buildNote } from "../../../views/desk-message.ts";
import { escapeText } from "../../../views/escape.ts";
import { ids } from "../../../views/ids.ts";
import { buildObjectsModal } from "../../../views/objects-modal.ts";
import type { Action } from "../../approvals/index.ts";
import type { ReleaseJob } from "../../release/index.ts";
import { jobScope, UserFacingError } from "../../release/index.ts";
import { retryJob, retryNote, retryWords } from "../approvals/retry.ts";
import type { SlackDeps } from "../deps.ts";
import { type ActionCall, onButton } from "./on-action.ts";

/** The job card's buttons. Modals open before any cluster call: a trigger id lives three seconds. */
export function registerCardActions(app: App, deps: SlackDeps): void {
  const { jobCard } = ids;
  const jobOf = (call: ActionCall): ReleaseJob => {
    const job = deps.desk.job(call.value);
    if (!job)
      throw new UserFacingError(
        "unknown-job",
        "That release job does not exist (any more). Nothing changed.",
      );
    return job;
  };
  const meta = (job: ReleaseJob, call: ActionCall) => ({
    jobId: job.id,
    ...(call.channel ? { channel: call.channel } : {}),
  });
  const ask = async (
    call: ActionCall,
    job: ReleaseJob,
    change: Parameters<SlackDeps["approvals"]["requestChange"]>[0]["change"],
    action?: Action,
  ) => {
    const request = await deps.approvals.requestChange({
      jobId: job.id,
      change,
      actor: call.actor,
      ...(action ? { action } : {}),
      ...(call.channel ? { channel: call.channel } : {}),
    });
    await call.answer(
      buildNote(
        `:hourglass: Asked for approval to *${escapeText(request.operation)}* on *${escapeText(job.name)}*.`,
      ),
    );
  };

  const may = (call: ActionCall, job: ReleaseJob, action: Action) =>
    deps.authorizer.require(call.actor, action, jobScope(job));

  onButton(app, deps, jobCard.shift, async (call) => {
    const job = jobOf(call);
    await may(call, job, "change.request");
    await call.client.views.open({ trigger_id: call.triggerId, view: buildShiftModal(job, meta(job, call)) });
  });
  onButton(app, deps, jobCard.takeOver, async (call) => {
    const job = jobOf(call);
    await may(call, job, "change.request");
    await call.client.views.open({
      trigger_id: call.triggerId,
      view: buildTakeOverModal(job, meta(job, call)),
    });
  });
  onButton(app, deps, jobCard.rollback, async (call) => ask(call, jobOf(call), { kind: "rollback" }));
  onButton(app, deps, jobCard.takeOffline, async (call) => {
    const job = jobOf(call);
    const keep = job.state === "taken-over" && job.takenOverBy ? job.takenOverBy : job.stableVersion;
    await ask(call, job, { kind: "takeOffline", keep });
  });
  onButton(app, deps, jobCard.objects, async (call) => {
    const job = jobOf(call);
    await may(call, job, "job.objects");
    const opened = await call.client.views.open({
      trigger_id: call.triggerId,
      view: buildObjectsModal(job.name, "loading"),
    });
    const status = await deps.desk.status(job.id, { objects: true });
    await call.client.views.update({
      view_id: opened.view?.id as string,
      view: buildObjectsModal(job.name, status.objects),
    });
  });
  onButton(app, deps, jobCard.retry, async (call) => {
    // Through the gate: the approved plan resumes only as approved, in time and on the cluster as planned.
    const outcome = await retryJob(deps, jobOf(call).id, call.actor);
    const job = outcome.job;
    await deps.audit.append({
      kind: "retried",
      actor: call.user,
      job: job.name,
      namespace: job.namespace,
      detail: { outcome: outcome.kind },
    });
    await deps.cards.thread(
      job.id,
      buildNote(`<@${call.user}> retried job *${job.name}*: ${retryNote(outcome)}.`),
    );
    await deps.cards.refresh(job.id);
    await call.answer(buildNote(retryWords(outcome)));
  });
  onButton(app, deps, jobCard.abandon, async (call) => {
    const job = jobOf(call);
    await may(call, job, "job.abandon");
    // Abandoning moves traffic and deletes objects: it is asked for and approved like taking a job offline.
    await ask(call, job, { kind: "abandon" }, "job.abandon");
  });
}
