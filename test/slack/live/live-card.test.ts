// Live telemetry through the real receiver: PROMETHEUS_URL aimed at a stand-in with recorded answers (reviews at
// 80/20, v2 failing one request in five) and JAEGER_URL at the mesh simulator's Jaeger query API.

import { PNG } from "pngjs";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ReleaseJob } from "../../../src/release/index.ts";
import {
  type DestinationRule,
  MeshSimulator,
  staticClusterReader,
  type TelemetryServer,
  type VirtualService,
} from "../../harness/mesh/index.ts";
import { loadRoutingFixture, reviewsSnapshot } from "../../harness/mesh/sample-mesh.ts";
import type { SlackActor, StoredMessage } from "../../harness/slack/index.ts";
import { ACK_BOUND_MS } from "../../harness/slack/index.ts";
import { ALICE, approvalMessage, CAROL, CHANNEL, createReviewsJob, until } from "../desk/world.ts";
import { type LiveWorld, startLiveWorld } from "./world.ts";

vi.setConfig({ testTimeout: 90_000 });

let world: LiveWorld;
let mesh: MeshSimulator;
let jaeger: TelemetryServer;
let job: ReleaseJob;

beforeAll(async () => {
  const snapshot = reviewsSnapshot(
    { v1: 1, v2: 1 },
    {
      virtualServices: [loadRoutingFixture<VirtualService>("mesh/reviews-80-20.yaml", "bookinfo")],
      destinationRules: [
        loadRoutingFixture<DestinationRule>("bookinfo/reviews-destination-rule.yaml", "bookinfo"),
      ],
    },
  );
  mesh = new MeshSimulator({ reader: staticClusterReader(snapshot), namespaces: ["bookinfo"], seed: 5 });
  await mesh.refresh();
  mesh.profiles.set("reviews", "v2", { errorRate: 0.3 });
  mesh.sendMany(200, { service: "reviews", namespace: "bookinfo", uri: "/reviews/1" });
  jaeger = await mesh.serve();
  world = await startLiveWorld({ prometheus: true, jaegerUrl: jaeger.jaegerUrl });
  job = await createReviewsJob(world, "reviews-live");
  // Past settling after the job's routes were set: the recorded checks are judged from the first refresh.
  world.clock.advance(5 * 60_000);
});
afterAll(async () => {
  await world?.close();
  await mesh?.close();
});
// No reset between tests: the card must stay where it is. Each test looks only at calls made after it began.
let mark = 0;
beforeEach(() => {
  mark = world.api.calls.length;
});
// Charts are drawn in a child process, which a loaded machine starts slowly: waits and tests get room for it.
const next = (method: string, timeoutMs = 30_000) =>
  world.api.waitFor(method, (call) => world.api.calls.indexOf(call) >= mark, timeoutMs);

const settle = () => until(() => world.app.graydesk.deps.inFlight.size === 0);
const cardNow = (): StoredMessage => {
  const at = world.app.graydesk.deps.cards.where(job.id);
  return world.api.message(CHANNEL, at?.ts as string) as StoredMessage;
};
type Block = {
  type: string;
  block_id?: string;
  text?: { text: string };
  elements?: Record<string, unknown>[];
};
const blocksOf = (m: StoredMessage) => (m.blocks ?? []) as Block[];
const block = (m: StoredMessage, id: string) => blocksOf(m).find((b) => b.block_id === id);
const actionIds = (m: StoredMessage) =>
  blocksOf(m)
    .flatMap((b) => b.elements ?? [])
    .map((e) => e.action_id);
const ephemeralTo = (user: SlackActor, containing: string) =>
  until(() => world.api.ephemerals(user.id).find((e) => String(e.text).includes(containing)));
const breachPosts = () =>
  world.api
    .messages(CHANNEL)
    .filter((m) => blocksOf(m).some((b) => b.block_id === "breach_section") && m.thread_ts);

describe("the job card with live telemetry", () => {
  it("shows each version's observed against configured share, success, p99, rate and trace links", async () => {
    await world.app.graydesk.refresher.refreshNow();
    const health = block(cardNow(), "job_card_health")?.text?.text ?? "";
    expect(health).toMatch(/^\*Live traffic\* \(last 1m, observed \/ configured share\)/);
    expect(health).toMatch(
      /\*v1\* \(stable\): 80 % \/ 100 % · success 100\.0 % · p99 61 ms · 108 req\/s · <http:\/\/127\.0\.0\.1:\d+\/search\?[^|]+\|traces> · <[^|]+\|errors>/,
    );
    expect(health).toMatch(/\*v2\* \(new\): 20 % \/ 0 % · success 81\.0 % · p99 71 ms · [\d.]+ req\/s/);
    // The verdicts show on the card itself, the new version's first.
    expect(health).toContain(
      ":x: *v2* fails (1 failed check): v2: 81.0 % of requests succeeded, below the 95.0 % minimum.",
    );
    expect(health).toMatch(
      /:white_check_mark: \*v1\* \(stable\) passes: success 100\.0 %, p99 61 ms, [\d,]+ requests/,
    );
    expect(block(cardNow(), "job_card_telemetry_off")).toBeUndefined();
    expect(actionIds(cardNow())).toEqual(expect.arrayContaining(["job_chart", "job_traces"]));
    world.api.expectNoViolations();
  });

  it("/release chart uploads a PNG into the job's thread and the card shows it by file id", async () => {
    const reply = await world.app.slack.command("/release", "chart reviews-live", { user: ALICE });
    expect(reply.ackMs).toBeLessThan(ACK_BOUND_MS);
    const answer = await next("response_url");
    expect(String(answer.args.text)).toContain(
      "The chart of *reviews-live* is in its thread and on its card.",
    );
    const completed = await next("files.completeUploadExternal");
    const id = (completed.response as { files: { id: string }[] }).files[0]?.id as string;
    const file = world.api.file(id);
    expect(file).toMatchObject({ filename: "split.png", completed: true, channelId: CHANNEL });
    expect(file?.threadTs).toBe(cardNow().ts);
    const png = PNG.sync.read(file?.bytes as Buffer);
    expect([png.width, png.height]).toEqual([1000, 500]);
    const image = block(cardNow(), "job_card_chart") as unknown as { slack_file: { id: string } };
    expect(image.slack_file).toEqual({ id });
    world.api.expectNoViolations();
  });

  it("the Chart button does the same and a refresh keeps the image", async () => {
    await world.app.slack.clickButton(cardNow(), "job_chart", { user: ALICE });
    const completed = await next("files.completeUploadExternal");
    const id = (completed.response as { files: { id: string }[] }).files[0]?.id as string;
    await until(
      () => (block(cardNow(), "job_card_chart") as { slack_file?: { id: string } })?.slack_file?.id === id,
    );
    await settle();
    await world.app.graydesk.refresher.refreshNow();
    expect(block(cardNow(), "job_card_chart")).toMatchObject({ slack_file: { id } });
    // Refreshing does not upload: charts come on request and on changes only.
    expect(world.api.calls.slice(mark).filter((c) => c.method === "files.getUploadURLExternal")).toHaveLength(
      1,
    );
    world.api.expectNoViolations();
  });

  it("Traces posts the slowest and failing traces per version in the thread, linked by trace id", async () => {
    await world.app.slack.clickButton(cardNow(), "job_traces", { user: ALICE });
    const posted = await until(() =>
      world.api.messages(CHANNEL).find((m) => String(m.text).startsWith("*Recent traces of reviews-live*")),
    );
    expect(posted.thread_ts).toBe(cardNow().ts);
    const text = String(posted.text);
    expect(text).toMatch(
      /\*v2\*: slowest <http:\/\/127\.0\.0\.1:\d+\/trace\/\w+\|\w+> [\d.,]+ ms \(HTTP \d+\)/,
    );
    expect(text).toMatch(/failing <http:\/\/127\.0\.0\.1:\d+\/trace\/\w+\|\w+> [\d.,]+ ms \(HTTP 500\)/);
    world.api.expectNoViolations();
  });

  it("/release traces answers a job that does not exist with the reason", async () => {
    await world.app.slack.command("/release", "traces reviews-gone", { user: ALICE });
    const answer = await next("response_url");
    expect(String(answer.args.text)).toContain("There is no job reviews-gone");
  });

  it("posts a breach once across refreshes; Request rollback goes through the approval, permission-checked", async () => {
    const first = await world.app.graydesk.refresher.refreshNow();
    const second = await world.app.graydesk.refresher.refreshNow();
    // The Chart test's refresh already posted them: however many refreshes ran, each breach is there once.
    expect(first.breachesPosted + second.breachesPosted).toBe(0);
    const posts = breachPosts();
    // One post for v2's verdict, mentioning the requester and the namespace's approvers.
    expect(posts.map((p) => p.text)).toEqual([
      [
        ":rotating_light: Analysis of *reviews-live* fails",
        ":x: *v2* fails (1 failed check): v2: 81.0 % of requests succeeded, below the 95.0 % minimum.",
        "<@U0ALICE> <@U0BOB> <@U0DAVE>",
      ].join("\n"),
    ]);
    expect(posts.every((p) => p.thread_ts === cardNow().ts)).toBe(true);
    const post = posts[0] as StoredMessage;
    expect(actionIds(post)).toEqual(["breach_request_rollback"]);

    await world.app.slack.clickButton(post, "breach_request_rollback", { user: CAROL });
    await ephemeralTo(CAROL, "right to request changes in namespace bookinfo");
    expect(approvalMessage(world.api)).toBeUndefined();

    await world.app.slack.clickButton(post, "breach_request_rollback", { user: ALICE });
    const request = await until(() => approvalMessage(world.api), 10_000);
    expect(String(request.text)).toBe(
      "roll back to the stable version on reviews-live: waiting for approval",
    );
    // Evidence: both versions' figures and the new one against the stable one.
    const evidence = block(request, "approval_evidence")?.elements?.[0]?.text as string;
    expect(evidence).toBe(
      [
        ":bar_chart: v1 (stable): 108 req/s, success 100.0 %, p99 61 ms",
        "v2 (new): 26.8 req/s, success 81.0 %, p99 71 ms",
        "v2 against v1: success −19.0 points, p99 +10 ms",
      ].join("\n"),
    );
    await settle();
    world.api.expectNoViolations();
  });
});
