import { rmSync } from "node:fs";
import path from "node:path";
import type { Config } from "../src/config.ts";
import {
  createSlackClient,
  freePort,
  type SlackReply,
  startSocketModeServer,
} from "../test/harness/slack/index.ts";
import { startBareBolt } from "./bare-bolt.ts";
import { startGraydeskProcess } from "./graydesk-process.ts";
import { emit, percentile, round } from "./stats.ts";
import {
  ALICE,
  askAndApprove,
  BOB,
  benchConfig,
  jobCard,
  NEW_JOB,
  SIGNING_SECRET,
  startServers,
  until,
} from "./world.ts";

const KINDS = ["help", "list", "status", "show-objects", "approve-decided"] as const;

/**
 * Ack latency over Socket Mode: Graydesk in its own process connected to the Socket Mode test server, rounds of
 * concurrent envelopes (the same commands and clicks as the HTTP rounds), each timed from Slack having it to
 * its ack, against a bare Bolt app on Bolt's stock Socket Mode receiver (its own process and socket server),
 * rounds alternating so a busy machine favours neither. One more round has Slack ask Graydesk for a fresh
 * connection as it starts: nothing may be lost or late.
 */
export async function benchSocketAckLatency(rounds = 8, size = 100): Promise<void> {
  const { kube, api, dir, kubeconfigPath } = await startServers();
  const socket = await startSocketModeServer(api);
  const port = await freePort();
  const http = benchConfig(api, kubeconfigPath, dir, port);
  const config: Config = {
    ...http,
    slack: { botToken: api.bot.token, mode: "socket", appToken: socket.appToken, port, apiUrl: api.url },
  };
  const graydesk = await startGraydeskProcess(config, path.join(dir, "graydesk-socket.log"));
  const slack = createSlackClient({
    baseUrl: "http://unused",
    signingSecret: SIGNING_SECRET,
    api,
    socketMode: socket,
  });
  const floorSocket = await startSocketModeServer(api);
  const bare = await startBareBolt(api, SIGNING_SECRET, floorSocket.appToken);
  const floor = createSlackClient({
    baseUrl: "http://unused",
    signingSecret: SIGNING_SECRET,
    api,
    socketMode: floorSocket,
  });
  try {
    const decided = await askAndApprove({ api, slack }, NEW_JOB);
    const card = structuredClone(await until(() => jobCard(api), 10_000, "job card"));
    await graydesk.settle();
    const via =
      (client: typeof slack) =>
      (kind: string): Promise<SlackReply> => {
        if (kind === "help") return client.command("/release", "help", { user: ALICE });
        if (kind === "list") return client.command("/release", "list bookinfo", { user: ALICE });
        if (kind === "status") return client.command("/release", "status reviews-v2", { user: ALICE });
        if (kind === "show-objects") return client.clickButton(card, "job_show_objects", { user: ALICE });
        return client.clickButton(decided, "approval_approve", { user: BOB });
      };
    const runRound = async (client: typeof slack, beforeSending?: () => void) => {
      beforeSending?.();
      const kinds = Array.from({ length: size }, (_, i) => KINDS[i % KINDS.length] as string);
      const replies = await Promise.allSettled(kinds.map(via(client)));
      if (client === slack) await graydesk.settle();
      return kinds.map((kind, i) => {
        const r = replies[i];
        return { kind, ms: r?.status === "fulfilled" ? r.value.ackMs : Number.NaN };
      });
    };
    await runRound(slack); // warm-up: JIT, each app's first auth.test
    await runRound(floor);
    const samples: { kind: string; ms: number }[] = [];
    const floorSamples: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate who goes first so a warming (or busy) machine favours neither.
      const g = r % 2 === 0 ? await runRound(slack) : undefined;
      const b = await runRound(floor);
      const g2 = g ?? (await runRound(slack));
      samples.push(...g2);
      floorSamples.push(...b.map((x) => x.ms));
      ratios.push(
        percentile(
          g2.map((x) => x.ms),
          99,
        ) /
          percentile(
            b.map((x) => x.ms),
            99,
          ),
      );
      api.reset();
    }
    const ms = samples.map((s) => s.ms);
    const byKind = Object.fromEntries(
      KINDS.map((k) => {
        const kms = samples.filter((s) => s.kind === k).map((s) => s.ms);
        return [k, { p50Ms: round1(percentile(kms, 50)), p99Ms: round1(percentile(kms, 99)) }];
      }),
    );
    const common = { bench: "ack-latency", mode: "socket", rounds, concurrency: size };
    const p99Ms = round1(percentile(ms, 99));
    const floorP99 = round1(percentile(floorSamples, 99));
    emit({
      ...common,
      app: "graydesk",
      requests: samples.length,
      p50Ms: round1(percentile(ms, 50)),
      p99Ms,
      maxMs: round1(Math.max(...ms)),
      byKind,
    });
    emit({
      ...common,
      app: "bare-bolt",
      requests: floorSamples.length,
      p50Ms: round1(percentile(floorSamples, 50)),
      p99Ms: floorP99,
      maxMs: round1(Math.max(...floorSamples)),
    });
    const ratio = round(p99Ms / floorP99, 2);
    emit({
      ...common,
      app: "ratio",
      p99Ratio: ratio,
      medianOfRoundP99Ratios: round(percentile(ratios, 50), 2),
      target: "p99 ratio <= 1.3 and p99 < 300 ms",
      met: ratio <= 1.3 && p99Ms < 300,
    });
    const violationsBefore = socket.violations.length;
    const refresh = await runRound(slack, () => socket.disconnect("refresh_requested"));
    const refreshMs = refresh.map((s) => s.ms);
    const newViolations = socket.violations.slice(violationsBefore);
    emit({
      ...common,
      app: "graydesk",
      what: "round with refresh_requested",
      requests: refresh.length,
      p50Ms: round1(percentile(refreshMs, 50)),
      p99Ms: round1(percentile(refreshMs, 99)),
      lost: refreshMs.filter((x) => Number.isNaN(x)).length,
      late: newViolations.filter((v) => v.includes("acked after")).length,
      ackedTwice: newViolations.filter((v) => v.includes("twice")).length,
      connections: socket.connectionCount(),
      met: newViolations.length === 0,
    });
  } finally {
    await bare.stop();
    await floorSocket.close();
    await graydesk.stop();
    await socket.close();
    await api.close();
    await kube.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round1 = (value: number) => round(value, 1);

if (import.meta.main) await benchSocketAckLatency();
