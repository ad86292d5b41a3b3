import type { KnownBlock } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import type { Logger } from "../log.ts";
import type { Store, StoreData } from "../store/index.ts";
import { backoffMs, classifySlackError, DEFAULT_RETRY, type RetryTiming } from "./outbox-policy.ts";

/** A message Graydesk owes Slack: a new post (maybe in a thread) or new content for a posted message. */
export type OutboxMessage =
  | { kind: "post"; channel: string; text: string; blocks?: KnownBlock[]; threadTs?: string }
  | { kind: "update"; channel: string; ts: string; text: string; blocks?: KnownBlock[] };

/** What to run once a post that had to wait is delivered: a handler registered by name, with its data. */
export interface AfterPost {
  handler: string;
  data: Record<string, string>;
}

interface Delivered {
  after: AfterPost;
  at: { channel: string; ts: string };
}

interface Entry {
  id: string;
  seq: number;
  message: OutboxMessage;
  after?: AfterPost;
  attempts: number;
  nextAt: number;
  lastError?: string;
}

export interface OutboxOptions {
  client: WebClient;
  store: Store;
  logger: Logger;
  retry?: RetryTiming;
  /** How often the background worker looks for messages due again (default 1 s). */
  pollMs?: number;
  now?: () => number;
}

/**
 * Slack messages that must arrive even when Slack is down or rate limiting. A message is sent at once; if Slack
 * cannot take it (5xx, network, 429) it is kept in the store, so a restart does not lose it, and a background
 * worker sends it again with backoff. Messages of one channel go out in order (a thread reads in the order
 * things happened); a newer content for the same message replaces an older one still waiting, so only the
 * latest is drawn. Callers never wait on a dead Slack longer than the Web API client's own short retries.
 */
export class SlackOutbox {
  readonly #o: OutboxOptions;
  readonly #lanes = new Map<string, Promise<unknown>>();
  readonly #latest = new Map<string, number>();
  readonly #after = new Map<
    string,
    (data: Record<string, string>, at: { channel: string; ts: string }) => Promise<void>
  >();
  #generation = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: OutboxOptions) {
    this.#o = options;
  }

  /** Names what to do after a delayed post arrives (e.g. remember where an approval request was posted). */
  onPosted(
    handler: string,
    run: (data: Record<string, string>, at: { channel: string; ts: string }) => Promise<void>,
  ): void {
    this.#after.set(handler, run);
  }

  /** Sends now; the message's ts when Slack took it, undefined when it was kept to send later. */
  send(message: OutboxMessage, after?: AfterPost): Promise<string | undefined> {
    const key = messageKey(message);
    const generation = ++this.#generation;
    if (key) this.#latest.set(key, generation);
    return this.#inLane(message.channel, async () => {
      // A newer content for the same message was asked for since: that one will be drawn instead.
      if (key && this.#latest.get(key) !== generation) return undefined;
      if (this.pending(message.channel).length > 0) {
        await this.#keep(message, after, "waiting behind earlier messages");
        return undefined;
      }
      try {
        return await this.#call(message);
      } catch (error) {
        const failure = classifySlackError(error);
        if (!failure.retry) throw error;
        this.#o.logger.warn(
          { err: error, channel: message.channel },
          "Slack did not take a message; kept to retry",
        );
        await this.#keep(
          message,
          after,
          String((error as Error).message),
          backoffMs(1, this.#retry, failure),
        );
        return undefined;
      }
    });
  }

  /** Messages still owed, oldest first (of one channel, when given). */
  pending(channel?: string): Entry[] {
    const all = Object.values(this.#o.store.data().outbox ?? {}) as unknown as Entry[];
    return all.filter((e) => !channel || e.message.channel === channel).sort((a, b) => a.seq - b.seq);
  }

  /** One round of the worker: sends what is due, channel by channel; returns how many went out. */
  async deliverDue(): Promise<number> {
    const channels = [...new Set(this.pending().map((e) => e.message.channel))];
    const rounds = await Promise.all(channels.map((c) => this.#inLane(c, () => this.#deliverChannel(c))));
    // Outside the lanes: a handler may send again (a late approval request redraws itself).
    for (const { delivered } of rounds)
      for (const { after, at } of delivered) await this.#runAfter(after, at);
    return rounds.reduce((sum, r) => sum + r.sent, 0);
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.pending().length === 0) return;
      this.deliverDue().catch((error) => this.#o.logger.warn({ err: error }, "outbox round failed"));
    }, this.#o.pollMs ?? 1_000);
    this.#timer.unref();
  }

  /** Stops the worker and waits for sends under way; what is still owed stays in the store. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#lanes.values()]);
  }

  get #retry(): RetryTiming {
    return this.#o.retry ?? DEFAULT_RETRY;
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  async #deliverChannel(channel: string): Promise<{ sent: number; delivered: Delivered[] }> {
    const delivered: Delivered[] = [];
    let sent = 0;
    for (const entry of this.pending(channel)) {
      if (entry.nextAt > this.#now()) break;
      try {
        const ts = await this.#call(entry.message);
        await this.#drop(entry.id);
        sent++;
        if (entry.after && ts) delivered.push({ after: entry.after, at: { channel, ts } });
      } catch (error) {
        const failure = classifySlackError(error);
        if (!failure.retry) {
          this.#o.logger.error({ err: error, channel }, "Slack refused a kept message; dropping it");
          await this.#drop(entry.id);
          continue;
        }
        const attempts = entry.attempts + 1;
        const nextAt = this.#now() + backoffMs(attempts + 1, this.#retry, failure);
        await this.#o.store.update((d) => {
          const stored = outboxOf(d)[entry.id];
          if (stored)
            Object.assign(stored, { attempts, nextAt, lastError: String((error as Error).message) });
        });
        break;
      }
    }
    return { sent, delivered };
  }

  async #runAfter(after: AfterPost, at: { channel: string; ts: string }): Promise<void> {
    try {
      await this.#after.get(after.handler)?.(after.data, at);
    } catch (error) {
      this.#o.logger.warn({ err: error, handler: after.handler }, "could not finish a delayed post");
    }
  }

  async #call(message: OutboxMessage): Promise<string | undefined> {
    const { client } = this.#o;
    const content = { text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) };
    if (message.kind === "update") {
      await client.chat.update({ channel: message.channel, ts: message.ts, ...content });
      return message.ts;
    }
    const posted = await client.chat.postMessage({
      channel: message.channel,
      ...content,
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
    });
    return posted.ts;
  }

  /** Keeps a message in the store; an update of a message already waiting replaces its content in place. */
  #keep(message: OutboxMessage, after: AfterPost | undefined, why: string, waitMs = 0): Promise<void> {
    const key = messageKey(message);
    return this.#o.store.update((d) => {
      const box = outboxOf(d);
      const waiting = key ? Object.values(box).find((e) => messageKey(e.message) === key) : undefined;
      if (waiting) {
        waiting.message = message;
        return;
      }
      const seq = Math.max(0, ...Object.values(box).map((e) => e.seq)) + 1;
      const id = `m${seq}-${message.channel}`;
      box[id] = {
        id,
        seq,
        message,
        ...(after ? { after } : {}),
        attempts: waitMs > 0 ? 1 : 0,
        nextAt: this.#now() + waitMs,
        lastError: why,
      };
    });
  }

  #drop(id: string): Promise<void> {
    return this.#o.store.update((d) => {
      delete outboxOf(d)[id];
    });
  }

  #inLane<T>(channel: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#lanes.get(channel) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.#lanes.set(channel, settled);
    void settled.then(() => {
      if (this.#lanes.get(channel) === settled) this.#lanes.delete(channel);
    });
    return run;
  }
}

/** Updates of one message coalesce; posts never do. */
function messageKey(message: OutboxMessage): string | undefined {
  return message.kind === "update" ? `${message.channel}/${message.ts}` : undefined;
}

function outboxOf(d: StoreData): Record<string, Entry> {
  return d.outbox as unknown as Record<string, Entry>;
}
