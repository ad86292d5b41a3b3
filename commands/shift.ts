import { escapeText } from "../views/escape.ts";
import type { DeskCommandDeps } from "./desk-deps.ts";
import { resolveJob } from "./job-ref.ts";
import { parseTraffic } from "./parse-traffic.ts";
import { requestChange } from "./request-change.ts";
import type { Subcommand } from "./subcommand.ts";
import { usageError } from "./usage.ts";

export function shiftCommand(deps: DeskCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "shift",
    usage: "<job> <percent> | <v1=80 v2=20> | <mirror=30> | <header:name=value …>",
    summary:
      "Ask to move traffic: a percentage to the new version, weights per version, a mirror share or request conditions.",
    example: "/release shift reviews-v2 20",
    async run(call) {
      const [ref, ...words] = call.args;
      if (!ref) throw usageError(command, "Name the job and the traffic.");
      if (words.length === 0) throw usageError(command, `Say how traffic of ${escapeText(ref)} should move.`);
      const job = resolveJob(deps.desk, deps.store, call.channel, ref);
      const parsed = parseTraffic(words, job);
      if (!parsed.ok) throw usageError(command, parsed.problem);
      await requestChange(deps, call, job, { kind: "shift", traffic: parsed.traffic });
    },
  };
  return command;
}
