import { AppsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readStateDir } from "../../src/store/index.ts";
import { ACK_BOUND_MS } from "../harness/slack/index.ts";
import { ALICE, CHANNEL, createReviewsJob, startWorld, until, type World } from "../slack/desk/world.ts";
import { type BadRequest, badRequests, FORBIDDEN_ECHOES } from "./bad-requests.ts";

const SEED = 20_251_122;
const COUNT = 1_000;
// Requests in flight at once. The client, Bolt and the Slack and Kubernetes test servers share this process: on a
// loaded 2-core machine 100 at once queued each other past the ack bound and Slack's client timeout, which says
// nothing about Graydesk (test/safety/request-flood.test.ts floods a separate process with 500 at once).
const IN_FLIGHT = 20;

let world: World;
let jobId: string;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => void rejections.push(reason);

beforeAll(async () => {
  process.on("unhandledRejection", onRejection);
  world = await startWorld();
  await world.app.slack.command("/release", "config namespace bookinfo", { user: ALICE });
  await world.api.waitFor("response_url");
  jobId = (await createReviewsJob(world, "reviews-abuse")).id;
  await settle();
});
afterAll(async () => {
  process.off("unhandledRejection", onRejection);
  await world?.close();
});

async function settle() {
  await until(() => world.app.graydesk.deps.inFlight.size === 0, 20_000);
  await world.app.graydesk.store.flush();
}

/** Every object Graydesk could touch, by kind/name, with its resourceVersion. */
async function clusterObjects(): Promise<Record<string, string | undefined>> {
  const kc = world.kube.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const seen: Record<string, string | undefined> = {};
  const add = (
    kind: string,
    items: { metadata?: { namespace?: string; name?: string; resourceVersion?: string } }[],
  ) => {
    for (const o of items)
      seen[`${kind} ${o.metadata?.namespace}/${o.metadata?.name}`] = o.metadata?.resourceVersion;
  };
  add("Namespace", (await core.listNamespace()).items);
  add("Service", (await core.listServiceForAllNamespaces()).items);
  add("ConfigMap", (await core.listConfigMapForAllNamespaces()).items);
  add("Deployment", (await apps.listDeploymentForAllNamespaces()).items);
  for (const plural of ["virtualservices", "destinationrules"]) {
    const list = (await custom.listClusterCustomObject({
      group: "networking.istio.io",
      version: "v1",
      plural,
    })) as {
      items: { metadata?: { namespace?: string; name?: string; resourceVersion?: string } }[];
    };
    add(plural, list.items);
  }
  return seen;
}

function everythingSentToSlack(): string {
  return JSON.stringify(world.api.calls.map((c) => c.args));
}

describe(`${COUNT} generated bad Slack requests (seed ${SEED})`, () => {
  // Unknown modals and suggestions wait out Bolt's 2 s unhandled-request timeout, hence the longer limit.
  it("are refused or answered; health, store, cluster and mentions stay as they were", {
    timeout: 240_000,
  }, async () => {
    const { app, api } = world;
    const storeBefore = JSON.stringify(readStateDir(app.config.dataDir));
    const clusterBefore = await clusterObjects();
    api.reset();
    const requests = badRequests(COUNT, SEED, {
      user: ALICE,
      channel: CHANNEL,
      teamId: api.bot.teamId,
      appId: api.bot.appId,
      jobId,
      responseUrl: () => api.responseUrl({ channel: CHANNEL, user: ALICE.id }),
      triggerId: () => api.issueTriggerId(),
    });
    const unexpected: { kind: string; status: number; body: string }[] = [];
    const kinds = new Map<string, number>();
    const send = async (r: BadRequest) => {
      kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
      // A request Graydesk never answers would hang here: the deadline turns it into a failure that names it.
      const reply = await Promise.race([
        app.slack.send(r.body, r.contentType, r.sign),
        new Promise<{ status: number; ackMs: number }>((resolve) =>
          setTimeout(() => resolve({ status: 0, ackMs: 2 * ACK_BOUND_MS }), 2 * ACK_BOUND_MS).unref(),
        ),
      ]);
      if (!r.expect.includes(reply.status))
        unexpected.push({ kind: r.kind, status: reply.status, body: r.body.slice(0, 300) });
      expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
    };
    // IN_FLIGHT at a time, each answer making room for the next request: one that waits out Bolt's
    // unhandled-request timeout holds a single place, not a whole batch. Health is asked every 200 answers.
    let answered = 0;
    const sender = async () => {
      for (let r = requests.next(); !r.done; r = requests.next()) {
        await send(r.value);
        answered += 1;
        if (answered % 200 === 0) expect((await fetch(`${world.app.baseUrl}/healthz`)).status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    await settle();
    expect(unexpected).toEqual([]);
    expect((await fetch(`${world.app.baseUrl}/healthz`)).status).toBe(200);
    expect(rejections).toEqual([]);
    // Every kind of garbage was tried.
    expect([...kinds.keys()].length).toBeGreaterThanOrEqual(10);

    expect(JSON.stringify(readStateDir(app.config.dataDir))).toBe(storeBefore);
    expect(await clusterObjects()).toEqual(clusterBefore);

    // What came back to people: refusals in words, never an internal fault's apology, never pings.
    const sent = everythingSentToSlack();
    for (const markup of FORBIDDEN_ECHOES) expect(sent).not.toContain(markup);
    expect(
      api.calls.filter((c) => c.method === "response_url" || c.method === "chat.postEphemeral").length,
    ).toBeGreaterThan(100);
    // Errors in the log are internal faults, except Bolt's note on the requests no listener took (the 404s).
    const faults = world.app.logs.filter(
      (l) => l.level === 50 && !String(l.msg).includes("not acknowledged"),
    );
    expect(faults.map((l) => l.msg)).toEqual([]);
  });
});
