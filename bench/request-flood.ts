import { unreachableKubeconfig } from "../test/harness/graydesk.ts";
import { FLOOD_KINDS } from "../test/harness/slack/flood.ts";
import { startSlackApiServer } from "../test/harness/slack/index.ts";
import { startReplica } from "../test/replicas/replica-process.ts";
import { floodGraydesk } from "../test/safety/request-flood.ts";
import { POLICY } from "../test/slack/desk/world.ts";
import { emit, percentile } from "./stats.ts";

/**
 * 500 concurrent unsigned 10 MB posts against the real entry point (`node src/main.ts`, HTTP mode), each kind
 * alone and all mixed, with 20 signed slash commands sent during each flood: the process's peak RSS, what every
 * post was answered, and the signed commands' ack times.
 */
export async function benchRequestFlood(): Promise<void> {
  for (const kinds of [...FLOOD_KINDS.map((k) => [k]), FLOOD_KINDS]) {
    const api = await startSlackApiServer();
    const graydesk = await startReplica("flood", {
      api,
      botToken: api.bot.token,
      kubeconfig: unreachableKubeconfig(),
      policyFile: POLICY,
      leaseDurationSeconds: 15,
      store: "lowdb",
    });
    try {
      const figures = await floodGraydesk(graydesk, {
        count: 500,
        bytes: 10 * 1024 * 1024,
        signed: 20,
        kinds,
      });
      const answers: Record<string, number> = {};
      for (const a of figures.answers) {
        const key = "status" in a ? String(a.status) : a.error;
        answers[key] = (answers[key] ?? 0) + 1;
      }
      const acks = figures.acks.map((a) => a.ms);
      emit({
        bench: "request-flood",
        kinds: kinds.join("+"),
        posts: figures.answers.length,
        answers,
        rssIdleMb: figures.rssBeforeMb,
        rssPeakMb: figures.peakRssMb,
        rssStartPeakMb: figures.startPeakRssMb,
        signedAcked: figures.acks.filter((a) => a.status === 200).length,
        ackP50Ms: percentile(acks, 50),
        ackMaxMs: Math.max(...acks),
        seconds: figures.seconds,
      });
    } finally {
      await graydesk.kill();
      await api.close();
    }
  }
}

if (import.meta.main) await benchRequestFlood();
