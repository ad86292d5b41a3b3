import type { WebClient } from "@slack/web-api";
import { buildBreachMessage } from "../../../views/live-messages.ts";
import type { ReleaseDesk } from "../../desk/types.ts";
import type { Logger } from "../../log.ts";
import { createRefresher, type Refresher } from "../../telemetry/index.ts";
import type { JobCards } from "../job-card.ts";

export interface LiveCardsDeps {
  desk: ReleaseDesk;
  cards: JobCards;
  client: WebClient;
  logger: Logger;
  /** REFRESH_INTERVAL_SECONDS; 60 when absent. */
  intervalSeconds?: number;
}

/**
 * Keeps live jobs' cards current with their health, and tells each job's thread about a health breach once,
 * with a Request rollback button. The refresher skips unchanged cards and waits out Slack's rate limits.
 */
export function liveCards(deps: LiveCardsDeps): Refresher {
  return createRefresher({
    jobs: () => deps.desk.jobs(),
    async render(job) {
      const drawn = await deps.cards.render(job.id);
      return {
        update: drawn?.at ? { channel: drawn.at.channel, ts: drawn.at.ts, ...drawn.card } : undefined,
        breaches: drawn?.breaches ?? [],
      };
    },
    slack: deps.client,
    async postOnce(job, breach) {
      await deps.cards.thread(job.id, buildBreachMessage(job, breach));
    },
    intervalSeconds: deps.intervalSeconds ?? 60,
    logger: deps.logger,
  });
}
