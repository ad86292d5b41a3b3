import { type ScheduledTask, schedule } from "node-cron";
import type { Store, StoredRecord } from "../store/index.ts";
import { latestSlot, nextSlots, toMinute, validateCron, validateTimezone } from "./cron.ts";

/** A channel's digest schedule, kept in the store's `schedules` collection under the channel id. */
export interface DigestSchedule {
  id: string;
  channel: string;
  cron: string;
  timezone: string;
  /** The slot (an instant, ISO) of the last digest claimed for posting: each slot is claimed once. */
  lastSlot?: string;
  /** Slots before this instant never fire: a schedule set at 09:01 does not post the 09:00 digest. */
  since: string;
  setBy: string;
}

export interface DigestSchedulesDeps {
  store: Store;
  /**
   * Builds and posts the digest for one channel; `slot` is the instant it is for, `previous` the slot of the
   * channel's previous digest (jobs finished since then are listed).
   */
  post(channel: string, slot: Date, previous: Date | undefined): Promise<void>;
  now?: () => Date;
  /** A slot missed by at most this much when the schedules start still fires. Default 5 minutes. */
  graceMs?: number;
  /** How often the leader re-reads schedules set through other replicas. Default 5 s. */
  syncMs?: number;
  onError?: (error: unknown, channel: string) => void;
}

export const DEFAULT_GRACE_MS = 5 * 60_000;
// Syncing compares the store's in-memory copy with the running tasks, no I/O, so checking often costs nothing.
const DEFAULT_SYNC_MS = 5_000;

/**
 * Digest schedules per channel. Any replica may set or remove one (a store update); only the leader runs them.
 *
 * Each slot posts at most once, across replicas and restarts: before posting, the runner moves the schedule's
 * `lastSlot` forward to the slot's instant by compare-and-set, and only the update that moved it posts. A restart
 * near the slot either finds the slot already claimed or, within the grace window, claims it on start. If
 * posting then fails, that slot's digest is lost (reported through onError) rather than risked twice.
 */
export class DigestSchedules {
  readonly #deps: DigestSchedulesDeps;
  readonly #now: () => Date;
  readonly #tasks = new Map<string, { task: ScheduledTask; key: string }>();
  #syncTimer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(deps: DigestSchedulesDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  list(): DigestSchedule[] {
    return Object.values(this.#deps.store.data().schedules) as unknown as DigestSchedule[];
  }

  get(channel: string): DigestSchedule | undefined {
    return this.#deps.store.data().schedules[channel] as unknown as DigestSchedule | undefined;
  }

  /** Validates and saves the channel's schedule (replacing any), and returns it with its next slots. */
  async set(
    channel: string,
    cron: string,
    timezone: string,
    actor: string,
  ): Promise<{ schedule: DigestSchedule; next: Date[] }> {
    const expr = validateCron(cron);
    const tz = validateTimezone(timezone);
    const saved: DigestSchedule = {
      id: channel,
      channel,
      cron: expr,
      timezone: tz,
      since: this.#now().toISOString(),
      setBy: actor,
    };
    await this.#deps.store.update((d) => {
      d.schedules[channel] = saved as unknown as StoredRecord;
    });
    if (this.#running) this.sync();
    return { schedule: saved, next: nextSlots(expr, tz, 3) };
  }

  async remove(channel: string): Promise<boolean> {
    const removed = await this.#deps.store.update((d) => {
      if (!d.schedules[channel]) return false;
      delete d.schedules[channel];
      return true;
    });
    if (this.#running) this.sync();
    return removed;
  }

  /** Leader only: runs every stored schedule and fires, once, a slot missed within the grace window. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.sync();
    const syncMs = this.#deps.syncMs ?? DEFAULT_SYNC_MS;
    // A schedule set through another replica just before its first slot is seen after the slot: catch it up.
    this.#syncTimer = setInterval(() => void this.#catchUpAll(this.sync()), syncMs);
    this.#syncTimer.unref();
    await this.catchUp();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#syncTimer);
    for (const { task } of this.#tasks.values()) await task.destroy();
    this.#tasks.clear();
  }

  /** Starts tasks for new or changed schedules and ends those of removed ones; returns the started ones. */
  sync(): DigestSchedule[] {
    const started: DigestSchedule[] = [];
    const wanted = new Map(this.list().map((s) => [s.channel, s]));
    for (const [channel, running] of this.#tasks) {
      const s = wanted.get(channel);
      if (!s || `${s.cron}|${s.timezone}` !== running.key) {
        void running.task.destroy();
        this.#tasks.delete(channel);
      }
    }
    for (const [channel, s] of wanted) {
      if (this.#tasks.has(channel)) continue;
      const task = schedule(s.cron, (context) => this.#fireSafely(channel, context.date), {
        timezone: s.timezone,
        name: `digest-${channel}`,
        noOverlap: true,
      });
      this.#tasks.set(channel, { task, key: `${s.cron}|${s.timezone}` });
      started.push(s);
    }
    return started;
  }

  /** Fires, once, each schedule's latest slot missed within the grace window (slots before `since` never). */
  async catchUp(): Promise<void> {
    await this.#catchUpAll(this.list());
  }

  async #catchUpAll(schedules: DigestSchedule[]): Promise<void> {
    const now = this.#now();
    const after = new Date(now.getTime() - (this.#deps.graceMs ?? DEFAULT_GRACE_MS));
    for (const s of schedules) {
      const slot = latestSlot(s.cron, s.timezone, after, now);
      if (slot) await this.#fireSafely(s.channel, slot);
    }
  }

  /** Claims the slot for this channel and posts if the claim won; true when this call posted. */
  async fire(channel: string, at: Date): Promise<boolean> {
    const slot = toMinute(at);
    const claim = await this.#deps.store.update((d) => {
      const record = d.schedules[channel] as unknown as DigestSchedule | undefined;
      if (!record) return undefined;
      if (slot.getTime() < Date.parse(record.since)) return undefined;
      if (record.lastSlot && Date.parse(record.lastSlot) >= slot.getTime()) return undefined;
      const previous = record.lastSlot ? new Date(record.lastSlot) : undefined;
      record.lastSlot = slot.toISOString();
      return { previous };
    });
    if (!claim) return false;
    await this.#deps.post(channel, slot, claim.previous);
    return true;
  }

  async #fireSafely(channel: string, at: Date): Promise<void> {
    try {
      await this.fire(channel, at);
    } catch (error) {
      this.#deps.onError?.(error, channel);
    }
  }
}
