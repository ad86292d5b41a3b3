import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { buildHome } from "../../../views/home.ts";
import { ids } from "../../../views/ids.ts";
import type { Actor, ApprovalRequest } from "../../approvals/index.ts";
import { jobScope, TERMINAL_STATES } from "../../release/index.ts";
import type { SlackDeps } from "../deps.ts";

const ACTIVITY = 10;

/** App Home: republished whenever the user opens it. */
export function registerHome(app: App, deps: SlackDeps): void {
  app.event("app_home_opened", async ({ event, client, body }) => {
    if (event.tab !== "home") return;
    const work = (async () => {
      // The event names the user only; the workspace that sent it is theirs (Slack Connect users have no Home here).
      const team = (body as { team_id?: string }).team_id;
      await publishHome(deps, client, { user: event.user, ...(team ? { team } : {}) });
    })().catch((error) => deps.logger.error({ err: error, user: event.user }, "could not publish App Home"));
    await deps.inFlight.track(work);
  });
  // Open is a link: Slack opens the request's message and still tells the app, which has nothing to do.
  app.action(ids.home.open, async ({ ack }) => {
    await ack();
  });
}

/** Draws the person's Home as it is now: on opening it, and after a request was decided from it. */
export async function publishHome(deps: SlackDeps, client: WebClient, actor: Actor): Promise<void> {
  const view = buildHome(await homeData(deps, actor));
  await client.views.publish({ user_id: actor.user, view });
}

export async function homeData(deps: SlackDeps, actor: Actor | string) {
  const who: Actor = typeof actor === "string" ? { user: actor } : actor;
  const user = who.user;
  // Home shows only namespaces the person may see (policy viewers; everyone in the workspace by default).
  const seen = new Map<string, boolean>();
  const hidden: string[] = [];
  const mayView = async (namespace: string | undefined) => {
    const key = namespace ?? "";
    if (!seen.has(key)) {
      const verdict = await deps.authorizer.authorize(who, "home.open", namespace);
      seen.set(key, verdict.ok);
      if (!verdict.ok) hidden.push(verdict.message);
    }
    return seen.get(key) === true;
  };
  const jobs = [];
  for (const j of deps.desk.jobs())
    if (
      j.createdBy === user &&
      !TERMINAL_STATES.includes(j.state) &&
      j.state !== "abandoned" &&
      (await mayView(jobScope(j)))
    )
      jobs.push(j);
  const now = deps.clock().getTime();
  const pending = deps.approvals.gate
    .all()
    .filter((r) => r.state === "pending" && Date.parse(r.expiresAt) > now);
  const waiting: ApprovalRequest[] = [];
  for (const pendingRequest of pending) {
    // With several clusters a request is shown, and judged, as cluster/namespace.
    const job = deps.desk.job(pendingRequest.jobId);
    const request = job ? { ...pendingRequest, namespace: jobScope(job) } : pendingRequest;
    if ((await mayView(request.namespace)) && (await deps.approvals.mayApprove(pendingRequest, user)))
      waiting.push(request);
  }
  // The engine names jobs by id in its records; people know them by name.
  const visible = [];
  // From the audit log's in-memory tail: opening Home costs the same however long the log has grown.
  for (const r of await deps.audit.recent()) {
    if (visible.length >= ACTIVITY) break;
    if (await mayView(r.namespace)) visible.push(r);
  }
  const activity = visible.map((r) => {
    const job = r.job ? deps.desk.job(r.job) : undefined;
    return job ? { ...r, job: job.name, namespace: jobScope(job) } : r;
  });
  // Namespaces with jobs count even when none of them is this person's: they are told what they do not see.
  for (const j of deps.desk.jobs()) await mayView(jobScope(j));
  return { user, jobs, waiting, activity, hidden };
}
