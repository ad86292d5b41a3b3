import type { WebClient } from "@slack/web-api";
import { buildJobCard, type JobCardData } from "../../views/job-card.ts";
import type { Policy } from "../approvals/index.ts";
import type { ReadRound, ReleaseDesk } from "../desk/types.ts";
import type { Logger } from "../log.ts";
import type { ReleaseJob } from "../release/index.ts";
import type { Store } from "../store/index.ts";
import type { CardUpdate } from "../telemetry/index.ts";
import {
  type HealthWatch,
  type JobAnalysis,
  LIVE_STATES,
  type Telemetry,
  type VersionHealth,
} from "../telemetry/index.ts";
import type { SlackOutbox } from "./outbox.ts";
import type { Reply } from "./reply.ts";

export interface CardLocation {
  channel: string;
  ts: string;
}

export interface JobCardsOptions {
  client: WebClient;
  /** Redraws and thread notes go through it, so a busy or down Slack delays them instead of losing them. */
  outbox: SlackOutbox;
  desk: ReleaseDesk;
  store: Store;
  logger: Logger;
  /** Pending approval requests of a job, in the user's words, shown on the card. */
  pending?: (jobId: string) => string[];
  /**
   * The pending requests of every job in one scan, as `pending` words them: a refresh round's cards take theirs
   * from one scan made at the round's first card, as they take the cluster's state from the round's reads.
   */
  pendingOfAll?: () => Map<string, string[]>;
  /** Live health on the cards of jobs that serve traffic; without it cards show no telemetry at all. */
  telemetry?: Telemetry;
  /** Whose thresholds judge health (the namespace's); defaults apply without it. */
  policy?: Policy;
  /** The analysis of each live job's checks; without it cards show numbers without verdicts. */
  watch?: HealthWatch;
}

/** A card drawn now, with the health it was drawn from (the refresher posts breaches, charts need the report). */
export interface RenderedJobCard {
  job: ReleaseJob;
  at: CardLocation | undefined;
  card: { text: string; blocks: ReturnType<typeof buildJobCard>["blocks"] };
  health?: VersionHealth;
  /** The analysis the card shows; with `check`, it includes this drawing's health as a new check. */
  analysis?: JobAnalysis;
}

/**
 * One message per job in the channel where it was created, updated in place. Where each card lives is kept in
 * the store's `channels` collection (`cards`: job id → message ts), so a restart keeps updating the same card.
 */
export class JobCards {
  readonly #o: JobCardsOptions;
  readonly #roundPending = new WeakMap<ReadRound, Map<string, string[]>>();
  readonly #redrawn: ((jobId: string, update: CardUpdate) => void)[] = [];

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
    // Nothing to redraw before the card is posted (a job's first events come before it): nothing is read.
    if (!this.where(jobId)) return;
    const drawn = await this.render(jobId);
    if (!drawn?.at) return;
    const update = { channel: drawn.at.channel, ts: drawn.at.ts, ...drawn.card };
    await this.#o.outbox.send({ kind: "update", ...update });
    for (const listener of this.#redrawn) listener(jobId, update);
  }

  /** Tells `listener` of each card redrawn by `refresh` (the live-card refresher keeps what cards show). */
  onRedrawn(listener: (jobId: string, update: CardUpdate) => void): void {
    this.#redrawn.push(listener);
  }

  /**
   * The card as it would be drawn now, without sending it; undefined for an unknown job. `check`: the health
   * read for it counts as one analysis check (the refresher's timer does this, nothing else). `round`: the
   * refresher's reads for this round (ReleaseDesk.readRound).
   */
  async render(
    jobId: string,
    options: { check?: boolean; round?: ReadRound } = {},
  ): Promise<RenderedJobCard | undefined> {
    const job = this.#o.desk.job(jobId);
    if (!job) return undefined;
    const data = await this.#data(jobId, job, options.check ?? false, options.round);
    return {
      job: data.job,
      at: this.where(jobId),
      card: buildJobCard(data),
      ...(data.live ? { health: data.live.health } : {}),
      ...(data.live?.analysis ? { analysis: data.live.analysis } : {}),
    };
  }

  /** The Slack file of the job's latest chart, shown on its card. */
  chartOf(jobId: string): string | undefined {
    for (const record of Object.values(this.#o.store.data().channels)) {
      const file = (record.charts as Record<string, string> | undefined)?.[jobId];
      if (file) return file;
    }
    return undefined;
  }

  async setChart(jobId: string, channel: string, fileId: string): Promise<void> {
    await this.#o.store.update((d) => {
      const record = d.channels[channel] ?? { id: channel };
      const charts = { ...((record.charts as Record<string, string> | undefined) ?? {}), [jobId]: fileId };
      d.channels[channel] = { ...record, charts };
    });
  }

  /**
   * Posts in the card's thread; without a card, in the job's channel. The ts is absent when Slack could not
   * take the note yet: the outbox delivers it later, in order.
   */
  async thread(jobId: string, reply: Reply): Promise<{ channel: string; ts?: string } | undefined> {
    const at = this.where(jobId);
    const channel = at?.channel ?? this.#o.desk.job(jobId)?.channel;
    if (!channel) return undefined;
    const ts = await this.#o.outbox.send({
      kind: "post",
      channel,
      ...reply,
      ...(at ? { threadTs: at.ts } : {}),
    });
    return { channel, ...(ts ? { ts } : {}) };
  }

  async #data(
    jobId: string,
    job: JobCardData["job"],
    check = false,
    round?: ReadRound,
  ): Promise<JobCardData> {
    const data: JobCardData = { job, pending: this.#pending(jobId, round) };
    try {
      const status = await this.#o.desk.status(jobId, round ? { round } : undefined);
      data.job = status.job;
      data.versions = status.versions;
      if (status.configured) data.configured = status.configured;
      if (status.bypass) data.bypass = status.bypass;
    } catch (error) {
      // The card still shows what the store knows; the cluster's view comes back with the next refresh.
      this.#o.logger.warn({ err: error, job: jobId }, "job status unavailable for the card");
      if ((error as { code?: unknown }).code === "cluster-unavailable") data.unreachable = true;
    }
    const live = await this.#live(data.job, check);
    if (live) data.live = live;
    return data;
  }

  #pending(jobId: string, round: ReadRound | undefined): string[] {
    const { pending, pendingOfAll } = this.#o;
    if (!round || !pendingOfAll) return pending?.(jobId) ?? [];
    let all = this.#roundPending.get(round);
    if (!all) {
      all = pendingOfAll();
      this.#roundPending.set(round, all);
    }
    return all.get(jobId) ?? [];
  }

  async #live(job: ReleaseJob, check: boolean): Promise<JobCardData["live"]> {
    const { telemetry } = this.#o;
    if (!telemetry || !LIVE_STATES.has(job.state)) return undefined;
    let health: VersionHealth;
    try {
      health = await telemetry.versionHealth(job);
    } catch (error) {
      this.#o.logger.warn({ err: error, job: job.id }, "live health unavailable for the card");
      health = {
        status: "unavailable",
        code: "prometheus-bad-response",
        reason: "Live health could not be read.",
      };
    }
    const traces = telemetry.traceLinks(job);
    const chartFileId = this.chartOf(job.id);
    const { watch } = this.#o;
    const analysis = watch ? (check ? watch.check(job, health) : watch.analysis(job)) : undefined;
    return {
      health,
      ...(traces ? { traces } : {}),
      ...(analysis ? { analysis } : {}),
      ...(chartFileId ? { chartFileId } : {}),
    };
  }
}
