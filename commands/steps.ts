import type { Authorizer } from "../src/approvals/index.ts";
import type { ReleaseDesk } from "../src/desk/types.ts";
import { jobScope } from "../src/release/index.ts";
import type { StepRunner } from "../src/schedule/index.ts";
import { parseSteps, STEPS_EXAMPLE } from "../src/schedule/index.ts";
import type { ApprovalDesk } from "../src/slack/approvals/index.ts";
import type { AuditLog, Store } from "../src/store/index.ts";
import { when } from "../views/approval.ts";
import { buildNote } from "../views/desk-message.ts";
import { resolveJob } from "./job-ref.ts";
import type { Subcommand } from "./subcommand.ts";
import { usageError } from "./usage.ts";

export interface StepsCommandDeps {
  desk: ReleaseDesk;
  store: Store;
  steps: StepRunner;
  audit: AuditLog;
  authorizer: Authorizer;
  approvals: Pick<ApprovalDesk, "requestSchedule">;
}

/** `/release steps <job> 10,25,50,100 every 30m`, `… <job> pause|resume|cancel`, or `… <job>` to see it. */
export function stepsCommand(deps: StepsCommandDeps): Subcommand {
  const command: Subcommand = {
    name: "steps",
    usage: "<job> <percent,percent,…> every <interval> | <job> pause|resume|cancel",
    summary: "Shift a canary in steps on a schedule, each step approved (or automatic where policy allows).",
    example: STEPS_EXAMPLE,
    async run(call) {
      const [ref, ...rest] = call.args;
      if (!ref) throw usageError(command, "Name the job.");
      const job = resolveJob(deps.desk, deps.store, call.channel, ref);
      const verb = rest.join(" ").trim().toLowerCase();
      const audit = (kind: string, detail: Record<string, unknown> = {}) =>
        deps.audit.append({ kind, actor: call.user, job: job.name, namespace: job.namespace, detail });
      const may = (action: "steps.show" | "steps.set" | "steps.pause" | "steps.resume" | "steps.cancel") =>
        deps.authorizer.require(call.actor, action, jobScope(job));
      if (verb === "") {
        await may("steps.show");
        const s = deps.steps.get(job.id);
        const text = s
          ? `${job.name}: steps ${s.percents.map((p) => `${p} %`).join(" → ")} every ${s.everyMinutes} min; next ${s.percents[s.next]} % ${s.paused ? `(paused: ${s.paused})` : `due ${when(s.dueAt)}`}.`
          : `${job.name} has no step schedule. Set one with \`${STEPS_EXAMPLE.replace("reviews-canary", job.name)}\`.`;
        await call.replyPrivately(buildNote(text));
        return;
      }
      if (verb === "pause" || verb === "resume" || verb === "cancel") {
        await may(`steps.${verb}`);
        const done =
          verb === "pause"
            ? await deps.steps.pause(job.id, `paused by <@${call.user}>`)
            : verb === "resume"
              ? await deps.steps.resume(job.id)
              : await deps.steps.cancel(job.id);
        if (done) await audit(`steps.${verb}`);
        await call.replyPrivately(
          buildNote(
            done
              ? `${job.name}: step schedule ${verb === "cancel" ? "cancelled" : `${verb}d`}.`
              : `${job.name} has no step schedule.`,
          ),
        );
        return;
      }
      await may("steps.set");
      const parsed = parseSteps(`${ref} ${rest.join(" ")}`);
      const schedule = await deps.steps.set(
        job.id,
        parsed.percents,
        parsed.everyMinutes,
        call.user,
        call.actor.team,
      );
      await audit("steps.set", { percents: parsed.percents, everyMinutes: parsed.everyMinutes });
      // The schedule is approved as a whole before its first step: one request shows every step and the gate.
      const request = await deps.approvals.requestSchedule({
        jobId: job.id,
        schedule,
        actor: call.actor,
        channel: call.channel,
      });
      await call.replyPrivately(
        buildNote(
          `${job.name}: asked for approval to shift ${job.newVersion.version} through ${parsed.percents.map((p) => `${p} %`).join(" → ")} every ${parsed.everyMinutes} min. Nothing moves before it is approved; then the first step (${parsed.percents[schedule.next]} %) is due at once.`,
          { context: request.summary },
        ),
      );
    },
  };
  return command;
}
