import type { App } from "@slack/bolt";
import { buildHome } from "../../../views/home.ts";
import type { ApprovalRequest } from "../../approvals/index.ts";
import { TERMINAL_STATES } from "../../release/index.ts";
import type { SlackDeps } from "../deps.ts";

const ACTIVITY = 10;

/** App Home: republished whenever the user opens it. */
export function registerHome(app: App, deps: SlackDeps): void {
  app.event("app_home_opened", async ({ event, client }) => {
    if (event.tab !== "home") return;
    const work = (async () => {
      const view = buildHome(await homeData(deps, event.user));
      await client.views.publish({ user_id: event.user, view });
    })().catch((error) => deps.logger.error({ err: error, user: event.user }, "could not publish App Home"));
    await deps.inFlight.track(work);
  });
}

export async function homeData(deps: SlackDeps, user: string) {
  const jobs = deps.desk
    .jobs()
    .filter((j) => j.createdBy === user && !TERMINAL_STATES.includes(j.state) && j.state !== "abandoned");
  const now = deps.clock().getTime();
  const pending = deps.approvals.gate
    .all()
    .filter((r) => r.state === "pending" && Date.parse(r.expiresAt) > now);
  const waiting: ApprovalRequest[] = [];
  for (const request of pending) if (await deps.approvals.mayApprove(request, user)) waiting.push(request);
  // The engine names jobs by id in its records; people know them by name.
  const activity = (await deps.audit.readAll())
    .slice(-ACTIVITY)
    .reverse()
    .map((r) => {
      const job = r.job ? deps.desk.job(r.job) : undefined;
      return job ? { ...r, job: job.name } : r;
    });
  return { user, jobs, waiting, activity };
}
