import type { Action } from "../src/approvals/index.ts";
import type { JobChange } from "../src/desk/types.ts";
import type { ReleaseJob } from "../src/release/index.ts";
import { buildNote } from "../views/desk-message.ts";
import { escapeText } from "../views/escape.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import type { CommandCall } from "./subcommand.ts";

/** Shared tail of shift / takeover / rollback / offline: open the approval request and say where it is. */
export async function requestChange(
  deps: DeskCommandDeps,
  call: CommandCall,
  job: ReleaseJob,
  change: JobChange,
  action?: Action,
): Promise<void> {
  const request = await deps.approvals.requestChange({
    jobId: job.id,
    change,
    actor: call.actor,
    ...(action ? { action } : {}),
    channel: call.channel,
  });
  const where = deps.cards.where(job.id);
  const place = where ? `in the thread of ${job.name}'s card in <#${where.channel}>` : "in this channel";
  await call.replyPrivately(
    buildNote(
      `:hourglass: Asked for approval to *${escapeText(request.operation)}* on *${escapeText(job.name)}*: the request is ${place}.`,
      {
        context: request.summary,
      },
    ),
  );
}
