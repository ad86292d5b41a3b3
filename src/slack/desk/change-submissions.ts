import type { App, ViewSubmitAction } from "@slack/bolt";
import { parseTraffic } from "../../../commands/parse-traffic.ts";
import { readChangeMeta } from "../../../views/change-modals.ts";
import { buildNote } from "../../../views/desk-message.ts";
import { escapeText } from "../../../views/escape.ts";
import { ids } from "../../../views/ids.ts";
import type { JobChange } from "../../desk/types.ts";
import { requestLogger } from "../../log.ts";
import { actorOf } from "../actor.ts";
import type { SlackDeps } from "../deps.ts";
import { replyToError } from "../errors.ts";
import { answerPrivately } from "./answer.ts";

type Checked = { ok: true; change: JobChange } | { ok: false; errors: Record<string, string> };

/**
 * The Shift… and Take over… modals. Their input is checked before ack() (pure parsing, no cluster call), so
 * mistakes show inline; the approval request is opened after ack().
 */
export function registerChangeSubmissions(app: App, deps: SlackDeps): void {
  const submit = (callbackId: string, check: (view: ViewSubmitAction["view"], jobId: string) => Checked) => {
    app.view<ViewSubmitAction>(callbackId, async ({ ack, body, view, client }) => {
      const meta = readChangeMeta(view.private_metadata);
      const job = meta ? deps.desk.job(meta.jobId) : undefined;
      const checked: Checked = job
        ? check(view, job.id)
        : { ok: false, errors: { [blockOf(callbackId)]: "This job no longer exists; close the dialog." } };
      if (!checked.ok) {
        await ack({ response_action: "errors", errors: checked.errors });
        return;
      }
      await ack();
      const user = body.user.id;
      const logger = requestLogger(deps.logger, { team: body.team?.id, user, kind: "view" });
      const answer = answerPrivately(client, { user, ...(meta?.channel ? { channel: meta.channel } : {}) });
      const work = (async () => {
        const request = await deps.approvals.requestChange({
          jobId: job?.id as string,
          change: checked.change,
          actor: actorOf(body),
          ...(meta?.channel ? { channel: meta.channel } : {}),
        });
        await answer(
          buildNote(
            `:hourglass: Asked for approval to *${escapeText(request.operation)}* on *${escapeText(request.jobName)}*.`,
          ),
        );
      })().catch((error) => replyToError(error, logger, answer));
      await deps.inFlight.track(work);
    });
  };

  submit(ids.shiftModal.callback, (view, jobId) => {
    const job = deps.desk.job(jobId);
    const text = textOf(view.state?.values?.[ids.shiftModal.block]?.[ids.shiftModal.input]?.value);
    const words = text.trim().split(/\s+/).filter(Boolean);
    if (!job || words.length === 0)
      return { ok: false, errors: { [ids.shiftModal.block]: "Say how traffic should move, e.g. 20." } };
    const parsed = parseTraffic(words, job);
    if (!parsed.ok)
      return { ok: false, errors: { [ids.shiftModal.block]: parsed.problem.replaceAll("`", "") } };
    return { ok: true, change: { kind: "shift", traffic: parsed.traffic } };
  });

  submit(ids.takeOverModal.callback, (view, jobId) => {
    const job = deps.desk.job(jobId);
    const version = textOf(
      view.state?.values?.[ids.takeOverModal.block]?.[ids.takeOverModal.input]?.selected_option?.value,
    );
    if (!job || !version || ![job.stableVersion, job.newVersion.version].includes(version))
      return { ok: false, errors: { [ids.takeOverModal.block]: "Choose one of the job's versions." } };
    return { ok: true, change: { kind: "takeOver", version } };
  });
}

/** A submitted value as text; anything else (a forged number, array or null) reads as empty. */
function textOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function blockOf(callbackId: string): string {
  return callbackId === ids.shiftModal.callback ? ids.shiftModal.block : ids.takeOverModal.block;
}
