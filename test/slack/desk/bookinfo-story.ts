import { AppsV1Api } from "@kubernetes/client-node";
import { expect } from "vitest";
import type { StoredMessage } from "../../harness/slack/index.ts";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import { ALICE, approvalMessage, BOB, CHANNEL, reviewsWeights, until, type World } from "./world.ts";

/** The four requests of the story, in order; `between` runs after each is applied (e.g. to drop a connection). */
export const STORY_REQUESTS = [
  "new canary bookinfo/reviews name=reviews-v2 version=v2 image=kubesphere/example-bookinfo-reviews-v2:1.16.2 weight=20",
  "shift reviews-v2 v1=20 v2=80",
  "takeover reviews-v2 v2",
  "offline reviews-v2",
] as const;

/** Generous waits: a loaded machine answers slowly, and the story is not about speed. */
const WAIT = 30_000;

/** Alice asks with a command, Bob approves with the button; resolves once the request is applied. */
async function askAndApprove(world: World, command: string): Promise<StoredMessage> {
  const { api, app } = world;
  const before = approvalMessage(api)?.ts;
  const asked = await app.slack.command("/release", command, { user: ALICE });
  expect(asked.ackMs).toBeLessThan(ACK_BOUND_MS);
  const request = await until(() => {
    const m = approvalMessage(api);
    return m && m.ts !== before ? m : undefined;
  }, WAIT);
  const click = await app.slack.clickButton(request, "approval_approve", { user: BOB });
  expect(click.ackMs).toBeLessThan(ACK_BOUND_MS);
  return until(() => {
    const m = api.message(CHANNEL, request.ts);
    return m && JSON.stringify(m.blocks).includes("Applied") ? m : undefined;
  }, WAIT);
}

/**
 * Seed 004 through Slack: reviews v2 canary 20 % → 80 % → take over → offline, Alice asking and Bob approving.
 * The same steps and checks whichever way Slack reaches Graydesk (signed HTTP or Socket Mode).
 */
export async function playBookinfoStory(
  world: World,
  between: (step: number) => Promise<void> = async () => {},
): Promise<void> {
  const { api, app, kube } = world;
  const config = await app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
  expect(config.ackMs).toBeLessThan(ACK_BOUND_MS);
  await api.waitFor("response_url", (c) => String(c.args.text).includes("namespace *bookinfo*"), WAIT);

  // The one-line /release new creates the job at 0 % and asks for its first change (20 %) in one go.
  await askAndApprove(world, STORY_REQUESTS[0]);
  const card = api.messages(CHANNEL).find((m) => JSON.stringify(m.blocks).includes("job_card_title"));
  expect(card?.text).toContain("reviews-v2");
  expect(await reviewsWeights(kube)).toEqual({ v1: 80, v2: 20 });
  await between(0);

  const applied = await askAndApprove(world, STORY_REQUESTS[1]);
  expect(applied.thread_ts).toBe(card?.ts);
  expect(await reviewsWeights(kube)).toEqual({ v1: 20, v2: 80 });
  await between(1);

  await askAndApprove(world, STORY_REQUESTS[2]);
  expect(await reviewsWeights(kube)).toEqual({ v1: 0, v2: 100 });
  await between(2);

  await askAndApprove(world, STORY_REQUESTS[3]);
  const refreshed = await until(() => {
    const m = api.message(CHANNEL, card?.ts as string);
    return m?.text?.includes("offline") ? m : undefined;
  }, WAIT);
  expect(JSON.stringify(refreshed.blocks)).toContain("offline");
  // The removed v1 has no row left on the finished job's card.
  const split = (refreshed.blocks as { block_id?: string; text?: { text: string } }[]).find(
    (b) => b.block_id === "job_card_split",
  );
  expect(split?.text?.text).toContain("v2");
  expect(split?.text?.text).not.toContain("v1");
  const apps = kube.kubeConfig().makeApiClient(AppsV1Api);
  const left = await apps.listNamespacedDeployment({ namespace: "bookinfo", labelSelector: "app=reviews" });
  expect(left.items.map((d) => d.metadata?.name)).toEqual(["reviews-v2"]);
  // The job created the VirtualService, so taking it offline removes it: plain Service routing to v2.
  await expect(reviewsWeights(kube)).rejects.toThrow(/not found/);

  const audit = await app.graydesk.audit.readAll();
  const steps = audit.filter(
    (r) => ["requested", "approved", "applied"].includes(r.kind) && r.job === "reviews-v2",
  );
  expect(steps.filter((r) => r.kind === "requested").map((r) => r.actor)).toEqual(Array(4).fill(ALICE.id));
  expect(steps.filter((r) => r.kind === "approved").map((r) => r.actor)).toEqual(Array(4).fill(BOB.id));
  expect(steps.filter((r) => r.kind === "applied")).toHaveLength(4);
  expect(steps.find((r) => r.kind === "applied")?.detail).toMatchObject({ requestedBy: ALICE.id });

  // The approvers' channel got each request too, updated with its outcome.
  const inApprovers = api.messages("C0APPROVERS");
  expect(inApprovers).toHaveLength(4);
  for (const m of inApprovers) expect(JSON.stringify(m.blocks)).toContain("Applied by <@U0BOB>");

  // Every thread note, card update and approval message obeyed Block Kit.
  api.expectNoViolations();
}
