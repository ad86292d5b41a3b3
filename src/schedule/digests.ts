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
  /** The time the schedules run by (slots fire when it reaches them); tests pass one they can move. */
  now?: () => Date;
  /** A slot missed by at most this much when the schedules start still fires. Default 5 minutes. */
  graceMs?: number;
  /** How often the leader reads its clock for a new minute and re-reads schedules set through other replicas. Default 1 s. */
  syncMs?: number;
  onError?: (error: unknown, channel: string) => void;
}

export const DEFAULT_GRACE_MS = 5 * 60_000;
// A look compares the store's in-memory copy with the known schedules and reads the clock, no I/O, so looking
// often costs nothing; a slot fires at most this long after its minute begins.
const DEFAULT_SYNC_MS = 1_000;

/**
 * Digest schedules per channel. Any replica may set or remove one (a store update); only the leader runs them.
 *
 * The leader looks at its clock every second: when a new minute has begun, each schedule's latest slot within the
 * grace window fires (node-cron's matcher, in the schedule's time zone). Slots follow the injected clock, not
 * timers set for wall-clock instants, so a clock moved forward fires the slot it reaches.
 *
 * Each slot posts at most once, across replicas and restarts: before posting, the runner moves the schedule's
 * `lastSlot` forward to the slot's instant by compare-and-set, and only the update that moved it posts. A restart
 * near the slot either finds the slot already claimed or, within the grace window, claims it on start. If
 * posting then fails, that slot's digest is lost (reported through onError) rather than risked twice.
 */
export class DigestSchedules {
  readonly #deps: DigestSchedulesDeps;
  readonly #now: () => Date;
  /** The schedules the leader runs, by channel: `cron|timezone`, to see a changed one. */
  readonly #known = new Map<string, string>();
  #syncTimer: NodeJS.Timeout | undefined;
  #running = false;
  /** The minute (ms) of the leader's last look: a different one means a new minute began. */
  #minute = 0;
  #looking = false;

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
    this.#minute = toMinute(this.#now()).getTime();
    this.#syncTimer = setInterval(() => void this.#look(), this.#deps.syncMs ?? DEFAULT_SYNC_MS);
    this.#syncTimer.unref();
    await this.catchUp();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#syncTimer);
    this.#known.clear();
  }

  /** Takes in new or changed schedules and forgets removed ones; returns the new or changed ones. */
  sync(): DigestSchedule[] {
    const started: DigestSchedule[] = [];
    const wanted = new Map(this.list().map((s) => [s.channel, s]));
    for (const [channel, key] of this.#known) {
      const s = wanted.get(channel);
      if (!s || `${s.cron}|${s.timezone}` !== key) this.#known.delete(channel);
    }
    for (const [channel, s] of wanted) {
      if (this.#known.has(channel)) continue;
      this.#known.set(channel, `${s.cron}|${s.timezone}`);
      started.push(s);
    }
    return started;
  }

  /**
   * One look of the leader: in a new minute every schedule's latest slot fires; otherwise only schedules first
   * seen now are caught up (one set through another replica just before its first slot is seen after the slot).
   * A look still posting when the next is due makes that one skip; the minute it missed is seen by the one after.
   */
  async #look(): Promise<void> {
    if (this.#looking || !this.#running) return;
    this.#looking = true;
    try {
      const started = this.sync();
      const minute = toMinute(this.#now()).getTime();
      const due = minute !== this.#minute ? this.list() : started;
      this.#minute = minute;
      await this.#catchUpAll(due);
    } finally {
      this.#looking = false;
    }
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
