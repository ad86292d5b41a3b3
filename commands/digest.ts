import type { Action, Authorizer } from "../src/approvals/index.ts";
import type { DigestSchedules } from "../src/schedule/index.ts";
import { CRON_EXAMPLE } from "../src/schedule/index.ts";
import type { AuditLog, Store } from "../src/store/index.ts";
import { buildNote } from "../views/desk-message.ts";
import { defaultNamespace } from "./job-ref.ts";
import type { Subcommand } from "./subcommand.ts";
import { usageError } from "./usage.ts";

export interface DigestCommandDeps {
  digests: DigestSchedules;
  audit: AuditLog;
  /** Builds and posts this channel's digest at once (`/release digest now`). */
  postNow?: (channel: string) => Promise<void>;
  authorizer: Authorizer;
  /** Where the channel's namespace is kept: a digest shows that namespace (every namespace without one). */
  store: Store;
}

const when = (d: Date, timezone: string) =>
  `${d.toLocaleString("en-GB", { timeZone: timezone, dateStyle: "medium", timeStyle: "short" })} (${timezone})`;

/** A word that names a time zone rather than a cron field: `Europe/Berlin`, `UTC`. */
const looksLikeZone = (word: string | undefined) =>
  word !== undefined && (word.includes("/") || /^(utc|gmt)$/i.test(word));

/**
 * `/release digest schedule "<cron>" [time zone]` (UTC without one), `… list`, `… now`, `… off`, or
 * `/release digest` to see this channel's schedule. `/release digest <cron> <time zone>` works too.
 */
export function digestCommand(deps: DigestCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "digest",
    usage: '[schedule "<minute hour day month weekday>" [time zone] | list | now | off]',
    summary: "Post a summary of this channel's release jobs on a schedule, or now.",
    example: '/release digest schedule "0 9 * * 1-5" Europe/Berlin',
    async run(call) {
      let words = call.args.flatMap((a) => a.split(/\s+/)).filter((w) => w !== "");
      const verb = words[0]?.toLowerCase();
      const namespace = defaultNamespace(deps.store, call.channel);
      const action: Action =
        words.length === 0 || verb === "list"
          ? "digest.show"
          : verb === "now"
            ? "digest.post"
            : "digest.configure";
      await deps.authorizer.require(call.actor, action, namespace);
      if (words.length === 1 && verb === "list") {
        const all = deps.digests.list();
        await call.replyPrivately(
          buildNote(
            all.length === 0
              ? "No channel has a digest."
              : all
                  .map((s) => `<#${s.channel}>: \`${s.cron}\` (${s.timezone}), set by <@${s.setBy}>`)
                  .join("\n"),
          ),
        );
        return;
      }
      if (words.length === 1 && verb === "now") {
        if (!deps.postNow) throw usageError(command, "Digests cannot be posted on demand here.");
        await deps.postNow(call.channel);
        await deps.audit.append({
          kind: "digest.posted",
          actor: call.user,
          detail: { channel: call.channel },
        });
        await call.replyPrivately(buildNote("The digest is posted in this channel."));
        return;
      }
      if (verb === "schedule") {
        words = words.slice(1);
        if (words.length === 0) throw usageError(command, "Give the schedule, in quotes.");
        if (!looksLikeZone(words.at(-1))) words.push("UTC");
      }
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
