import type { WebClient } from "@slack/web-api";
import { buildBreachNotice } from "../../../views/live-messages.ts";
import { type Policy, policyFor } from "../../approvals/index.ts";
import type { ReleaseDesk } from "../../desk/types.ts";
import type { Logger } from "../../log.ts";
import type { AuditLog, Store } from "../../store/index.ts";
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
  return createRefresher({
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
    repostMargin: (job, metric) => repostMargin(metric, policyFor(deps.policy, job.namespace, job.cluster)),
    autoRollback: (job, analysis) => autoRollback(deps, job, analysis),
    intervalSeconds: deps.intervalSeconds ?? 60,
    logger: deps.logger,
  });
}
