import type { DigestSchedules } from "../src/schedule/index.ts";
import { CRON_EXAMPLE } from "../src/schedule/index.ts";
import type { AuditLog } from "../src/store/index.ts";
import { buildNote } from "../views/desk-message.ts";
import type { Subcommand } from "./subcommand.ts";
import { usageError } from "./usage.ts";

export interface DigestCommandDeps {
  digests: DigestSchedules;
  audit: AuditLog;
}

const when = (d: Date, timezone: string) =>
  `${d.toLocaleString("en-GB", { timeZone: timezone, dateStyle: "medium", timeStyle: "short" })} (${timezone})`;

/** `/release digest <cron> <time zone>`, `/release digest off`, or `/release digest` to see the schedule. */
export function digestCommand(deps: DigestCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "digest",
    usage: "<minute hour day month weekday> <time zone> | off",
    summary: "Post a summary of this channel's release jobs on a schedule.",
    example: "/release digest 0 9 * * 1-5 Europe/Berlin",
    async run(call) {
      const words = call.args.flatMap((a) => a.split(/\s+/)).filter((w) => w !== "");
      if (words.length === 0) {
        const current = deps.digests.get(call.channel);
        await call.replyPrivately(
          buildNote(
            current
              ? `This channel gets a digest on \`${current.cron}\` (${current.timezone}), set by <@${current.setBy}>. Turn it off with \`/release digest off\`.`
              : `This channel has no digest. Set one with \`/release digest 0 9 * * 1-5 Europe/Berlin\` — ${CRON_EXAMPLE}.`,
          ),
        );
        return;
      }
      if (words.length === 1 && words[0]?.toLowerCase() === "off") {
        const removed = await deps.digests.remove(call.channel);
        if (removed)
          await deps.audit.append({
            kind: "digest.removed",
            actor: call.user,
            detail: { channel: call.channel },
          });
        await call.replyPrivately(
          buildNote(removed ? "This channel's digest is off." : "This channel had no digest."),
        );
        return;
      }
      if (words.length < 2) throw usageError(command, "Give the schedule and a time zone.");
      const timezone = words[words.length - 1] as string;
      if (!/[A-Za-z]/.test(timezone))
        throw usageError(
          command,
          "Add a time zone after the schedule: an IANA name such as Europe/Berlin or UTC.",
        );
      const cron = words.slice(0, -1).join(" ");
      const { schedule, next } = await deps.digests.set(call.channel, cron, timezone, call.user);
      await deps.audit.append({
        kind: "digest.set",
        actor: call.user,
        detail: { channel: call.channel, cron: schedule.cron, timezone: schedule.timezone },
      });
      await call.replyPrivately(
        buildNote(
          `Digest set: \`${schedule.cron}\` in ${schedule.timezone}. Next: ${next.map((d) => when(d, schedule.timezone)).join(", ")}.`,
        ),
      );
    },
  };
  return command;
}
