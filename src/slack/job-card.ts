import type { WebClient } from "@slack/web-api";
import { buildJobCard, type JobCardData } from "../../views/job-card.ts";
import type { ReleaseDesk } from "../desk/types.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/index.ts";
import type { Reply } from "./reply.ts";

export interface CardLocation {
  channel: string;
  ts: string;
}

export interface JobCardsOptions {
  client: WebClient;
  desk: ReleaseDesk;
  store: Store;
  logger: Logger;
  /** Pending approval requests of a job, in the user's words, shown on the card. */
  pending?: (jobId: string) => string[];
}

/**
 * One message per job in the channel where it was created, updated in place. Where each card lives is kept in
 * the store's `channels` collection (`cards`: job id → message ts), so a restart keeps updating the same card.
 */
export class JobCards {
  readonly #o: JobCardsOptions;

  constructor(options: JobCardsOptions) {
    this.#o = options;
  }

  /** Posts the job's card in `channel` and remembers where it is. */
  async post(job: JobCardData["job"], channel: string): Promise<CardLocation> {
    const card = buildJobCard(await this.#data(job.id, job));
    const posted = await this.#o.client.chat.postMessage({ channel, ...card });
    const ts = posted.ts as string;
    await this.#o.store.update((d) => {
      const record = d.channels[channel] ?? { id: channel };
      const cards = { ...((record.cards as Record<string, string> | undefined) ?? {}), [job.id]: ts };
      d.channels[channel] = { ...record, cards };
    });
    return { channel, ts };
  }

  /** Where the job's card is, if it was posted. */
  where(jobId: string): CardLocation | undefined {
    for (const record of Object.values(this.#o.store.data().channels)) {
      const ts = (record.cards as Record<string, string> | undefined)?.[jobId];
      if (ts) return { channel: record.id, ts };
    }
    return undefined;
  }

  /** Redraws the card from the job and what the cluster says now (chat.update in place). */
  async refresh(jobId: string): Promise<void> {
    const at = this.where(jobId);
    const job = this.#o.desk.job(jobId);
    if (!at || !job) return;
    const card = buildJobCard(await this.#data(jobId, job));
    await this.#o.client.chat.update({ channel: at.channel, ts: at.ts, ...card });
  }

  /** Posts in the card's thread; without a card, in the job's channel. */
  async thread(jobId: string, reply: Reply): Promise<CardLocation | undefined> {
    const at = this.where(jobId);
    const channel = at?.channel ?? this.#o.desk.job(jobId)?.channel;
    if (!channel) return undefined;
    const posted = await this.#o.client.chat.postMessage({
      channel,
      ...reply,
      ...(at ? { thread_ts: at.ts } : {}),
    });
    return { channel, ts: posted.ts as string };
  }

  async #data(jobId: string, job: JobCardData["job"]): Promise<JobCardData> {
    const data: JobCardData = { job, pending: this.#o.pending?.(jobId) ?? [] };
    try {
      const status = await this.#o.desk.status(jobId);
      data.job = status.job;
      data.versions = status.versions;
      if (status.configured) data.configured = status.configured;
    } catch (error) {
      // The card still shows what the store knows; the cluster's view comes back with the next refresh.
      this.#o.logger.warn({ err: error, job: jobId }, "job status unavailable for the card");
    }
    return data;
  }
}
