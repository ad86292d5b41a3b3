import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { bookinfoManifests } from "../test/harness/bookinfo.ts";
import type { StoredMessage } from "../test/harness/slack/index.ts";
import { timeKubeRequests } from "./kube-timeline.ts";
import { rawPatchFloor } from "./raw-patch.ts";
import { type Seed, seedDataDir } from "./seed-state.ts";
import { type SignedRequest, signedRequests } from "./signed-requests.ts";
import { emit, percentile, round } from "./stats.ts";
import { ALICE, CHANNEL, SIGNING_SECRET, settle, startBenchWorld, until } from "./world.ts";

const ms = (x: number) => round(x, 1);
const pad = (i: number) => String(i).padStart(2, "0");
/** The apps the shifters release, one Service + Deployment + DestinationRule each, copies of Bookinfo's reviews. */
const appName = (i: number) => `app-${pad(i)}`;
const approver = (i: number) => ({ id: `U0APPROVER${pad(i)}`, name: `approver-${pad(i)}` });

/**
 * 50 people approve 50 different jobs' traffic shifts at the same moment: Approve click → that job's
 * VirtualService patched, p50 / p99 / max over the 50, against a pooled raw client-node PATCH from Graydesk's
 * process (the floor, timed in the same run after each round). The 50 requests are asked at once too (Alice, one
 * command per job), so a round is 50 shifts made by 50 users at once; shifts per second counts from the first
 * command to the last "Applied". `background`: seeded jobs beside the 50 (5,000 active in all, by default too).
 */
export async function benchConcurrentShifters(
  rounds = 3,
  jobs = 50,
  sizes: Seed[] = [
    { active: 0, finished: 0 },
    { active: 5_000 - 50, finished: 0 },
  ],
): Promise<void> {
  for (const seed of sizes) await oneSize(rounds, jobs, seed);
}

async function oneSize(rounds: number, jobs: number, seed: Seed): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "graydesk-bench-shifters-"));
  const approvers = Array.from({ length: jobs }, (_, i) => approver(i));
  const policyFile = path.join(dir, "policy.yaml");
  writeFileSync(
    policyFile,
    stringify({
      defaults: { expiryMinutes: 30, approveNewVersions: false },
      namespaces: {
        bookinfo: {
          requesters: { users: [ALICE.id] },
          approvers: { users: approvers.map((a) => a.id) },
          expiryMinutes: 30,
        },
      },
    }),
  );
  const world = await startBenchWorld({
    config: { policyFile, refreshIntervalSeconds: 3600 },
    ...(seed.active + seed.finished > 0 ? { seed: (dataDir: string) => seedDataDir(dataDir, seed) } : {}),
  });
  const { api, kube, slack, graydesk } = world;
  api.setUsers([ALICE, ...approvers]);
  const timeline = timeKubeRequests(kube);
  const floor = rawPatchFloor(world, timeline);
  const load = fork(new URL("./load-child.ts", import.meta.url), {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    execArgv: [],
  });
  const build = signedRequests(api, SIGNING_SECRET, CHANNEL);
  try {
    for (let i = 0; i < jobs; i++) for (const o of appObjects(appName(i))) await floor.objects.create(o);
    // The jobs, one at a time: each created with its first shift, approved by its own approver.
    let shown = new Map<number, string>();
    for (let i = 0; i < jobs; i++) {
      await slack.command(
        "/release",
        `new canary bookinfo/${appName(i)} name=${appName(i)}-v2 version=v2 image=kubesphere/example-bookinfo-reviews-v2:1.16.2 weight=20`,
        { user: ALICE },
      );
      const request = await requestFor(api, i, shown);
      shown.set(i, request.ts);
      await slack.clickButton(request, "approval_approve", {
        user: approvers[i] as { id: string; name: string },
      });
      await until(() => (applied(api, request) ? true : undefined), 60_000, `${appName(i)} created`);
    }
    await settle(graydesk);
    for (let r = 1; r <= rounds; r++) {
      const weights = r % 2 === 1 ? "v1=40 v2=60" : "v1=60 v2=40";
      const started = performance.now();
      const asked = shown;
      await Promise.all(
        Array.from({ length: jobs }, (_, i) =>
          slack.command("/release", `shift ${appName(i)}-v2 ${weights}`, { user: ALICE }),
        ),
      );
      const requests = await Promise.all(Array.from({ length: jobs }, (_, i) => requestFor(api, i, asked)));
      shown = new Map(requests.map((m, i) => [i, m.ts]));
      const askedMs = performance.now() - started;
      await settle(graydesk);
      timeline.reset();
      // Signed up front and sent at once from their own process, as 50 people's Slack clients would.
      const clicks = requests.map((m, i) =>
        build.click(String(i), approvers[i] as { id: string; name: string }, m, "approval_approve"),
      );
      const patched = requests.map((_, i) => timeline.nextWrite("virtualservices", 60_000, appName(i)));
      const sent = await fire(load, `${world.baseUrl}/slack/events`, clicks);
      const done = await Promise.all(patched);
      // Each click from the moment its process sent it to its VirtualService's patch finishing.
      const times = sent.map((x) => (done[Number(x.kind)] as number) - (x.at - performance.timeOrigin));
      await until(() => (requests.every((m) => applied(api, m)) ? true : undefined), 60_000, "all applied");
      const shiftsPerSecond = jobs / ((performance.now() - started) / 1000);
      await settle(graydesk);
      // The floor: one app's VirtualService patched with what it holds, one at a time, pooled.
      const raw: number[] = [];
      for (let k = 0; k < 10; k++) raw.push(await floor.measure(appName(k % jobs)));
      const p99 = percentile(times, 99);
      emit({
        bench: "concurrent-shifters",
        round: r,
        activeJobs: jobs + seed.active,
        shifters: jobs,
        what: "50 approvers press Approve on 50 jobs at once → each VirtualService patched",
        p50Ms: ms(percentile(times, 50)),
        p99Ms: ms(p99),
        maxMs: ms(percentile(times, 100)),
        rawPatchP50Ms: ms(percentile(raw, 50)),
        rawPatchP99Ms: ms(percentile(raw, 99)),
        p50Ratio: round(percentile(times, 50) / percentile(raw, 50), 2),
        requestsAskedAtOnceMs: ms(askedMs),
        shiftsPerSecond: round(shiftsPerSecond, 1),
        target: "approve → patch p99 < 200 ms",
        met: p99 < 200,
      });
    }
  } finally {
    load.send("exit");
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sends the requests through the load process at once; each comes back with when it was sent. */
function fire(
  child: ChildProcess,
  url: string,
  requests: SignedRequest[],
): Promise<{ kind: string; status: number; at: number }[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the clicks took over 60 s")), 60_000);
    child.once("message", (m) => {
      clearTimeout(timer);
      resolve((m as { results: { kind: string; status: number; at: number }[] }).results);
    });
    child.send({ url, requests });
  });
}

/** The Bookinfo reviews Service, v1 Deployment and DestinationRule, renamed to `name`. */
function appObjects(name: string): KubernetesObject[] {
  const reviews = bookinfoManifests("bookinfo", {
    reviewsVersions: ["v1"],
    withDestinationRule: true,
  }).filter(
    (o) =>
      ["Service", "Deployment", "DestinationRule"].includes(o.kind) &&
      (o.metadata.name === "reviews" || o.metadata.labels?.app === "reviews"),
  );
  return reviews.map(
    (o) =>
      JSON.parse(
        JSON.stringify(o)
          .replaceAll('"reviews"', JSON.stringify(name))
          .replaceAll('"reviews-v1"', JSON.stringify(`${name}-v1`)),
      ) as KubernetesObject,
  );
}

/** Job `i`'s approval request message, newer than the one `shown` for it; else what Alice was answered. */
async function requestFor(
  api: Parameters<typeof applied>[0] & { calls: { method: string; args: unknown }[] },
  i: number,
  shown: Map<number, string>,
): Promise<StoredMessage> {
  const job = `${appName(i)}-v2`;
  try {
    return await until(
      () =>
        api
          .messages(CHANNEL)
          .filter((m) => {
            const blocks = JSON.stringify(m.blocks ?? []);
            return (
              blocks.includes('"approval_title"') &&
              blocks.includes('"approval_approve"') &&
              blocks.includes(job) &&
              m.ts !== shown.get(i)
            );
          })
          .map((m) => structuredClone(m))
          .at(-1),
      60_000,
      `approval request for ${job}`,
    );
  } catch (error) {
    const answers = api.calls
      .filter((c) => c.method === "response_url" && JSON.stringify(c.args).includes(job))
      .map((c) => JSON.stringify(c.args).slice(0, 400));
    throw new Error(`${(error as Error).message}; answers naming it: ${answers.join(" | ") || "none"}`);
  }
}

function applied(
  api: {
    message(channel: string, ts: string): StoredMessage | undefined;
    messages(channel: string): StoredMessage[];
  },
  request: StoredMessage,
): boolean {
  return JSON.stringify(api.message(CHANNEL, request.ts)?.blocks).includes("Applied");
}

/** `node bench/concurrent-shifters.ts [rounds] [shifters] [active jobs, e.g. 50,5000]`. */
if (import.meta.main) {
  const [rounds, jobs, active] = process.argv.slice(2);
  const shifters = Number(jobs ?? 50);
  const sizes = active
    ? active.split(",").map((a) => ({ active: Math.max(0, Number(a) - shifters), finished: 0 }))
    : undefined;
  await benchConcurrentShifters(Number(rounds ?? 3), shifters, sizes);
}
