import type { WebClient } from "@slack/web-api";
import { buildBreachNotice } from "../../../views/live-messages.ts";
import { type Policy, policyFor } from "../../approvals/index.ts";
import type { ReleaseDesk } from "../../desk/types.ts";
import type { Logger } from "../../log.ts";
import type { AuditLog, Store, StoredRecord } from "../../store/index.ts";
import { createRefresher, type PostedBreach, type Refresher, repostMargin } from "../../telemetry/index.ts";
import type { JobCards } from "../job-card.ts";
import { autoRollback } from "./auto-rollback.ts";
import { mentionsFor } from "./mentions.ts";

export interface LiveCardsDeps {
  desk: ReleaseDesk;
  cards: JobCards;
  client: WebClient;
  logger: Logger;
  policy: Policy;
  audit: AuditLog;
  store: Store;
  /** REFRESH_INTERVAL_SECONDS; 60 when absent. */
  intervalSeconds?: number;
}

/**
 * Keeps live jobs' cards current with their health; each refresh is one analysis check. A version whose verdict
 * turns fail is posted in the job's thread once, mentioning who must act, again only when it gets worse by the
 * namespace's margin, and its recovery is noted. Where the policy allows, traffic goes back by itself.
 */
export function liveCards(deps: LiveCardsDeps): Refresher {
  // Every card of a round reads the cluster through the round's reads: each kind once per namespace.
  let round = deps.desk.readRound();
  const refresher = createRefresher({
    jobs: () => deps.desk.jobs(),
    startRound() {
      round = deps.desk.readRound();
    },
    async render(job) {
      const drawn = await deps.cards.render(job.id, { check: true, round });
      return {
        update: drawn?.at ? { channel: drawn.at.channel, ts: drawn.at.ts, ...drawn.card } : undefined,
        ...(drawn?.analysis ? { analysis: drawn.analysis } : {}),
      };
    },
    slack: deps.client,
    async notify(job, notice, analysis) {
      const rules = policyFor(deps.policy, job.namespace, job.cluster);
      const message = buildBreachNotice(job, notice, analysis, {
        mentions: notice.kind === "recovered" ? [] : mentionsFor(job, rules),
        ...(rules.autoRollback ? { autoRollbackAfter: rules.autoRollback.afterFailedChecks } : {}),
      });
      await deps.cards.thread(job.id, message);
    },
    posted: {
      load: (jobId) => deps.store.data().breaches[jobId]?.posted as Record<string, PostedBreach> | undefined,
      save: (jobId, posted) =>
        deps.store.update((d) => {
          d.breaches[jobId] = { id: jobId, posted };
        }),
      forget: (jobId) =>
        deps.store.update((d) => {
          delete d.breaches[jobId];
        }),
    },
    drawn: {
      load(jobId) {
        const at = deps.cards.where(jobId);
        return at ? drawnIn(deps.store.data().channels[at.channel])[jobId] : undefined;
      },
      save: (sent, live) => saveDrawn(deps, sent, live),
    },
    repostMargin: (job, metric) => repostMargin(metric, policyFor(deps.policy, job.namespace, job.cluster)),
    autoRollback: (job, analysis) => autoRollback(deps, job, analysis),
    intervalSeconds: deps.intervalSeconds ?? 60,
    logger: deps.logger,
  });
  // A card redrawn after someone's action shows what that redraw drew: the next round compares with it.
  deps.cards.onRedrawn((jobId, update) => refresher.drawnElsewhere(jobId, update));
  return refresher;
}

/** The hashes of the cards as last drawn, kept beside where the cards are (the channel's `drawn`: job id → hash). */
function drawnIn(channel: StoredRecord | undefined): Record<string, string> {
  return (channel?.drawn as Record<string, string> | undefined) ?? {};
}

/** One write per round: each channel keeps the hashes of its live jobs' cards. */
async function saveDrawn(
  deps: LiveCardsDeps,
  sent: ReadonlyMap<string, string>,
  live: ReadonlySet<string>,
): Promise<void> {
  const byChannel = new Map<string, [string, string][]>();
  for (const [jobId, hash] of sent) {
    const at = deps.cards.where(jobId);
    if (at) byChannel.set(at.channel, [...(byChannel.get(at.channel) ?? []), [jobId, hash]]);
  }
  if (byChannel.size === 0) return;
  await deps.store.update((d) => {
    for (const [channel, hashes] of byChannel) {
      // Read from the stored state as it stands inside this update (a plain read; the draft's views cost more).
      const stored = deps.store.data().channels[channel];
      if (!stored) continue;
      const kept = Object.entries(drawnIn(stored)).filter(([jobId]) => live.has(jobId));
      d.channels[channel] = { ...stored, drawn: Object.fromEntries([...kept, ...hashes]) };
    }
  });
}
