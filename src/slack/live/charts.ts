import type { WebClient } from "@slack/web-api";
import type { ReleaseDesk } from "../../desk/types.ts";
import type { Logger } from "../../log.ts";
import type { ReleaseJob } from "../../release/index.ts";
import {
  type ChartInput,
  type ChartRenderer,
  chartInputOf,
  createChartRenderer,
  LIVE_STATES,
  type Telemetry,
  trafficHistory,
} from "../../telemetry/index.ts";
import type { JobCards } from "../job-card.ts";

export interface JobChartsDeps {
  client: WebClient;
  desk: ReleaseDesk;
  cards: JobCards;
  telemetry: Telemetry;
  logger: Logger;
  /** Draws the PNG; by default a worker that is recycled to keep native memory level (see chart-renderer.ts). */
  renderer?: Pick<ChartRenderer, "renderChartPngAsync" | "close">;
}

export type ChartResult = { ok: true; fileId: string } | { ok: false; reason: string };

/**
 * The job's traffic-split chart, uploaded into its card's thread (files.uploadV2) and then shown on the card.
 * Charts are drawn when someone asks, when the job's state or configured split changes, and by the redraw timer
 * (chart-timer.ts) while the job is live; each one is a file in the job's thread.
 */
export class JobCharts {
  readonly #d: JobChartsDeps;
  /** The last state-and-split seen per job, to tell a change from a redraw. */
  readonly #seen = new Map<string, string>();

  /** Started on the first chart: replicas without Prometheus never start a worker. */
  #renderer: Pick<ChartRenderer, "renderChartPngAsync" | "close"> | undefined;

  constructor(deps: JobChartsDeps) {
    this.#d = deps;
    this.#renderer = deps.renderer;
  }

  async close(): Promise<void> {
    await this.#renderer?.close();
  }

  #draw(input: ChartInput): Promise<Buffer> {
    this.#renderer ??= createChartRenderer();
    return this.#renderer.renderChartPngAsync(input);
  }

  /** When each job's chart was last drawn (unix ms), for the redraw timer. */
  readonly #drawnAt = new Map<string, number>();
  /** Approvers' display names by Slack user id; users.info is asked once per person. */
  readonly #names = async (history: { by?: string }[]): Promise<Record<string, string>> => {
    const names: Record<string, string> = {};
    for (const id of new Set(history.flatMap((c) => (c.by && /^[UW][A-Z0-9]+$/.test(c.by) ? [c.by] : [])))) {
      let name = this.#known.get(id);
      if (name === undefined) {
        try {
          const { user } = await this.#d.client.users.info({ user: id });
          name = user?.profile?.display_name || user?.real_name || user?.name || id;
        } catch {
          // A name is a nicety: the marker shows the id instead, and the next chart asks again.
          name = undefined;
        }
        if (name) this.#known.set(id, name);
      }
      names[id] = name ?? id;
    }
    return names;
  };
  readonly #known = new Map<string, string>();

  drawnAt(jobId: string): number | undefined {
    return this.#drawnAt.get(jobId);
  }

  /** One upload per job at a time: a request that comes while one is being drawn gets that one. */
  readonly #uploading = new Map<string, Promise<ChartResult>>();

  upload(jobId: string): Promise<ChartResult> {
    const running = this.#uploading.get(jobId);
    if (running) return running;
    const upload = this.#upload(jobId).finally(() => this.#uploading.delete(jobId));
    this.#uploading.set(jobId, upload);
    return upload;
  }

  async #upload(jobId: string): Promise<ChartResult> {
    const { desk, cards, telemetry, client } = this.#d;
    const job = desk.job(jobId);
    if (!job) return { ok: false, reason: "That release job does not exist (any more)." };
    if (!cards.where(jobId) && !job.channel)
      return { ok: false, reason: `${job.name} has no channel to post its chart in.` };
    const health = await telemetry.versionHealth(job);
    if (health.status !== "ok") return { ok: false, reason: health.reason };
    const history = trafficHistory(job);
    const png = await this.#draw(chartInputOf(health, history, await this.#names(history)));
    this.#drawnAt.set(jobId, Date.parse(health.at));
    // Where the card is once the chart is drawn: a card posted meanwhile gets the chart in its thread.
    const at = cards.where(jobId);
    const channel = (at?.channel ?? job.channel) as string;
    const file = {
      file: png,
      filename: "split.png",
      title: `${job.name}: traffic split`,
      alt_text: `Observed and configured share of ${job.service.name} traffic per version`,
    };
    const uploaded = at
      ? await client.files.uploadV2({ ...file, channel_id: channel, thread_ts: at.ts })
      : await client.files.uploadV2({ ...file, channel_id: channel });
    const fileId = fileIdOf(uploaded);
    if (!fileId) return { ok: false, reason: "Slack took the chart but did not say which file it is." };
    await cards.setChart(jobId, channel, fileId);
    await cards.refresh(jobId);
    return { ok: true, fileId };
  }

  /** Uploads a fresh chart when a live job's state or configured split changed since last seen. */
  async changed(job: ReleaseJob): Promise<void> {
    // Before its card is posted a job has no thread for the chart: the first change after it uploads one.
    if (!this.#d.cards.where(job.id)) return;
    const key = `${job.state}|${JSON.stringify(job.traffic)}`;
    const before = this.#seen.get(job.id);
    this.#seen.set(job.id, key);
    if (before === key || !LIVE_STATES.has(job.state) || !this.#d.telemetry.prometheusConfigured) return;
    const result = await this.upload(job.id);
    if (!result.ok) this.#d.logger.debug({ job: job.id, reason: result.reason }, "no chart for the change");
  }
}

/** files.uploadV2 answers with one completeUploadExternal result per upload, each listing its files. */
function fileIdOf(answer: unknown): string | undefined {
  const files = (answer as { files?: { files?: { id?: string }[] }[] }).files;
  return files?.[0]?.files?.[0]?.id;
}
