import { jobScope } from "../src/release/index.ts";
import type { SlackDeps } from "../src/slack/deps.ts";
import { postTraces } from "../src/slack/live/index.ts";
import { buildNote } from "../views/desk-message.ts";
import { escapeText } from "../views/escape.ts";
import { resolveJob } from "./job-ref.ts";
import type { Subcommand } from "./subcommand.ts";
import { expectArgs } from "./usage.ts";

export type LiveCommandDeps = Pick<
  SlackDeps,
  "desk" | "store" | "cards" | "charts" | "telemetry" | "authorizer"
>;

/** `/release chart <job>`: the traffic-split chart, uploaded into the job's thread and shown on its card. */
export function chartCommand(deps: LiveCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "chart",
    usage: "<job>",
    summary: "Post the job's traffic-split chart (observed against configured) in its thread.",
    example: "/release chart reviews-canary",
    async run(call) {
      expectArgs(command, call.args, 1, 1);
      const job = resolveJob(deps.desk, deps.store, call.channel, call.args[0] as string);
      await deps.authorizer.require(call.actor, "job.chart", jobScope(job));
      const result = await deps.charts.upload(job.id);
      await call.replyPrivately(
        buildNote(
          result.ok
            ? `:chart_with_upwards_trend: The chart of *${job.name}* is in its thread and on its card.`
            : `:chart_with_upwards_trend: No chart for *${job.name}*: ${escapeText(result.reason)}`,
        ),
      );
    },
  };
  return command;
}

/** `/release traces <job>`: the slowest and the failing recent traces per version, in the job's thread. */
export function tracesCommand(deps: LiveCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "traces",
    usage: "<job>",
    summary: "Post the slowest and the failing recent traces of each version in the job's thread.",
    example: "/release traces reviews-canary",
    async run(call) {
      expectArgs(command, call.args, 1, 1);
      const job = resolveJob(deps.desk, deps.store, call.channel, call.args[0] as string);
      await deps.authorizer.require(call.actor, "job.traces", jobScope(job));
      const result = await postTraces(deps, job.id);
      await call.replyPrivately(
        buildNote(
          result.ok
            ? `:mag: Recent traces of *${job.name}* are in its thread.`
            : `:mag: No traces for *${job.name}*: ${escapeText(result.reason)}`,
        ),
      );
    },
  };
  return command;
}
