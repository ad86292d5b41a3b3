import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  DigestSchedules,
  latestSlot,
  nextSlots,
  ScheduleError,
  validateCron,
  validateTimezone,
} from "../../src/schedule/index.ts";
import { openFileStore, type Store } from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const stores: Store[] = [];
async function freshStore(dir = tempDir("graydesk-digests-")) {
  const store = await openFileStore(dir);
  stores.push(store);
  return store;
}

beforeEach(() => {
  // Only the clock and timers are faked; file I/O stays real.
  vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
});
afterEach(async () => {
  vi.useRealTimers();
  for (const store of stores.splice(0)) await store.close();
});

describe("validateCron", () => {
  it.each([
    ["0 9 * * 1-5", "0 9 * * 1-5"],
    ["  30   17 * * fri ", "30 17 * * fri"],
    ["*/15 * * * *", "*/15 * * * *"],
  ])("accepts %j", (input, normalized) => {
    expect(validateCron(input)).toBe(normalized);
  });

  it.each([
    ["0 9 * *", /it has 4 fields, not 5/],
    ["0 0 9 * * *", /it has 6 fields, not 5/],
    ["", /it has 0 fields, not 5/],
    ["0 25 * * *", /hour/i],
    ["61 9 * * *", /minute/i],
    ["0 9 * * funday", /week/i],
  ])("refuses %j with the documented error and an example", (input, why) => {
    let error: unknown;
    try {
      validateCron(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScheduleError);
    expect((error as ScheduleError).code).toBe("bad-cron");
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toContain('for example "0 9 * * 1-5" Europe/Berlin (weekdays at 09:00');
  });
});

describe("validateTimezone", () => {
  it.each([
    ["Europe/Berlin", "Europe/Berlin"],
    ["America/New_York", "America/New_York"],
    ["UTC", "UTC"],
  ])("accepts %s", (tz, canonical) => {
    expect(validateTimezone(tz)).toBe(canonical);
  });

  it.each(["Mars/Olympus_Mons", "+02:00", "", "Berlin"])("refuses %j with the documented error", (tz) => {
    expect(() => validateTimezone(tz)).toThrow(
      expect.objectContaining({
        code: "bad-timezone",
        message: expect.stringMatching(/is not a time zone\. Use an IANA name/),
      }),
    );
  });
});

describe("slots in a time zone", () => {
  it.each([
    // Summer: New York is UTC-4, so 09:00 there is 13:00 UTC.
    ["2025-07-01T00:00:00Z", "0 9 * * *", "America/New_York", "2025-07-01T13:00:00.000Z"],
    ["2025-07-01T00:00:00Z", "0 9 * * *", "UTC", "2025-07-01T09:00:00.000Z"],
    // Winter: UTC-5.
    ["2025-01-15T00:00:00Z", "0 9 * * *", "America/New_York", "2025-01-15T14:00:00.000Z"],
    // Saturday in Berlin (UTC+2 in July): the weekday schedule's next slot is Monday 09:00, 07:00 UTC.
    ["2025-07-05T10:00:00Z", "0 9 * * 1-5", "Europe/Berlin", "2025-07-07T07:00:00.000Z"],
  ])("from %s, %j in %s is next due at %s", (now, cron, tz, expected) => {
    vi.setSystemTime(new Date(now));
    expect(nextSlots(cron, tz, 1)[0]?.toISOString()).toBe(expected);
  });

  it("finds the latest slot inside a window, and none outside it", () => {
    const at = (iso: string) => new Date(iso);
    expect(
      latestSlot("0 9 * * *", "America/New_York", at("2025-07-01T12:58:00Z"), at("2025-07-01T13:03:10Z")),
    ).toEqual(at("2025-07-01T13:00:00Z"));
    expect(
      latestSlot("0 9 * * *", "America/New_York", at("2025-07-01T13:00:00Z"), at("2025-07-01T13:04:00Z")),
    ).toBeUndefined();
  });
});

/** Moves the fake clock, then lets the store writes (real file I/O) and the posts they unblock finish. */
async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  for (const store of stores) await store.flush();
  await new Promise((resolve) => setImmediate(resolve));
}

interface Posted {
  channel: string;
  slot: string;
  by: string;
}

function schedules(
  store: Store,
  posted: Posted[],
  by: string,
  extra: { fail?: boolean; errors?: unknown[] } = {},
) {
  return new DigestSchedules({
    store,
    post: async (channel, slot) => {
      if (extra.fail) throw new Error("chat.postMessage answered channel_not_found");
      posted.push({ channel, slot: slot.toISOString(), by });
    },
    onError: (error) => extra.errors?.push(error),
  });
}

describe("digest schedules", () => {
  it("fires at 09:00 New York time through node-cron, not at 09:00 UTC", async () => {
    vi.setSystemTime(new Date("2025-07-01T08:59:00Z"));
    const posted: Posted[] = [];
    const digests = schedules(await freshStore(), posted, "a");
    await digests.set("C1", "0 9 * * *", "America/New_York", "U1");
    await digests.start();
    await advance(2 * 60_000);
    expect(posted).toEqual([]);
    await advance(4 * 60 * 60_000);
    expect(posted).toEqual([{ channel: "C1", slot: "2025-07-01T13:00:00.000Z", by: "a" }]);
    await digests.stop();
  });

  it("set refuses a bad schedule with the documented error and stores nothing", async () => {
    const store = await freshStore();
    const digests = schedules(store, [], "a");
    await expect(digests.set("C1", "every morning", "UTC", "U1")).rejects.toMatchObject({ code: "bad-cron" });
    await expect(digests.set("C1", "0 9 * * *", "Mars/Base", "U1")).rejects.toMatchObject({
      code: "bad-timezone",
    });
    expect(store.data().schedules).toEqual({});
  });

  it("set returns the next three slots and replaces the channel's earlier schedule", async () => {
    vi.setSystemTime(new Date("2025-07-04T12:00:00Z"));
    const digests = schedules(await freshStore(), [], "a");
    await digests.set("C1", "0 9 * * *", "UTC", "U1");
    const { schedule, next } = await digests.set("C1", "0 9 * * 1-5", "Europe/Berlin", "U2");
    expect(schedule).toMatchObject({
      channel: "C1",
      cron: "0 9 * * 1-5",
      timezone: "Europe/Berlin",
      setBy: "U2",
    });
    expect(next.map((d) => d.toISOString())).toEqual([
      "2025-07-07T07:00:00.000Z",
      "2025-07-08T07:00:00.000Z",
      "2025-07-09T07:00:00.000Z",
    ]);
    expect(digests.list()).toHaveLength(1);
  });

  it("schedules survive a restart: a new instance over the same state runs them", async () => {
    vi.setSystemTime(new Date("2025-07-01T08:00:00Z"));
    const dir = tempDir("graydesk-digests-");
    const first = await openFileStore(dir);
    await schedules(first, [], "a").set("C1", "0 9 * * *", "UTC", "U1");
    await first.close();
    const posted: Posted[] = [];
    const digests = schedules(await freshStore(dir), posted, "b");
    expect(digests.list().map((s) => s.channel)).toEqual(["C1"]);
    await digests.start();
    await advance(61 * 60_000);
    expect(posted).toEqual([{ channel: "C1", slot: "2025-07-01T09:00:00.000Z", by: "b" }]);
    await digests.stop();
  });

  it("two instances running over the same store at the slot post exactly one digest", async () => {
    vi.setSystemTime(new Date("2025-07-01T08:59:50Z"));
    const store = await freshStore();
    const posted: Posted[] = [];
    const a = schedules(store, posted, "a");
    const b = schedules(store, posted, "b");
    await a.set("C1", "0 9 * * *", "UTC", "U1");
    await a.start();
    await b.start();
    await advance(30_000);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.slot).toBe("2025-07-01T09:00:00.000Z");
    await a.stop();
    await b.stop();
  });

  it("a restart just after the slot does not post it again", async () => {
    vi.setSystemTime(new Date("2025-07-01T08:59:50Z"));
    const store = await freshStore();
    const posted: Posted[] = [];
    const a = schedules(store, posted, "a");
    await a.set("C1", "0 9 * * *", "UTC", "U1");
    await a.start();
    await advance(20_000);
    await a.stop();
    vi.setSystemTime(new Date("2025-07-01T09:02:00Z"));
    const b = schedules(store, posted, "b");
    await b.start();
    await advance(60_000);
    expect(posted).toEqual([{ channel: "C1", slot: "2025-07-01T09:00:00.000Z", by: "a" }]);
    await b.stop();
  });

  it("a slot missed during a restart fires once on start within the grace window", async () => {
    vi.setSystemTime(new Date("2025-07-01T08:50:00Z"));
    const store = await freshStore();
    const posted: Posted[] = [];
    await schedules(store, posted, "a").set("C1", "0 9 * * *", "UTC", "U1");
    vi.setSystemTime(new Date("2025-07-01T09:03:00Z"));
    const b = schedules(store, posted, "b");
    await b.start();
    await b.stop();
    const c = schedules(store, posted, "c");
    vi.setSystemTime(new Date("2025-07-01T09:04:00Z"));
    await c.start();
    await c.stop();
    expect(posted).toEqual([{ channel: "C1", slot: "2025-07-01T09:00:00.000Z", by: "b" }]);
  });

  it.each([
    ["after the grace window", "2025-07-01T08:50:00Z", "2025-07-01T09:06:00Z"],
    ["for a schedule set after the slot", "2025-07-01T09:00:30Z", "2025-07-01T09:01:00Z"],
  ])("does not catch up a slot %s", async (_what, setAt, startAt) => {
    vi.setSystemTime(new Date(setAt));
    const store = await freshStore();
    const posted: Posted[] = [];
    await schedules(store, posted, "a").set("C1", "0 9 * * *", "UTC", "U1");
    vi.setSystemTime(new Date(startAt));
    const b = schedules(store, posted, "b");
    await b.start();
    await b.stop();
    expect(posted).toEqual([]);
  });

  it("a failed post is reported and not repeated for the same slot", async () => {
    vi.setSystemTime(new Date("2025-07-01T08:59:50Z"));
    const store = await freshStore();
    const errors: unknown[] = [];
    const digests = schedules(store, [], "a", { fail: true, errors });
    await digests.set("C1", "0 9 * * *", "UTC", "U1");
    await digests.start();
    await advance(20_000);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/channel_not_found/);
    expect(digests.get("C1")?.lastSlot).toBe("2025-07-01T09:00:00.000Z");
    await digests.catchUp();
    expect(errors).toHaveLength(1);
    await digests.stop();
  });

  it("a removed schedule stops firing; a schedule set through another replica is picked up by sync", async () => {
    vi.setSystemTime(new Date("2025-07-01T08:58:00Z"));
    const store = await freshStore();
    const posted: Posted[] = [];
    const leader = schedules(store, posted, "leader");
    const other = schedules(store, posted, "other");
    await leader.set("C1", "0 9 * * *", "UTC", "U1");
    await leader.start();
    expect(await leader.remove("C1")).toBe(true);
    expect(await leader.remove("C1")).toBe(false);
    await other.set("C2", "1 9 * * *", "UTC", "U1");
    await advance(4 * 60_000);
    expect(posted).toEqual([{ channel: "C2", slot: "2025-07-01T09:01:00.000Z", by: "leader" }]);
    await leader.stop();
  });

  it("a schedule set through another replica just before its slot posts it once, at the leader's next sync", async () => {
    vi.setSystemTime(new Date("2025-07-01T08:59:57Z"));
    const store = await freshStore();
    const posted: Posted[] = [];
    const leader = schedules(store, posted, "leader");
    await leader.start();
    await advance(2_500);
    await schedules(store, [], "other").set("C3", "0 9 * * *", "UTC", "U1");
    // The leader's look at 09:00:00 (a new minute) sees the schedule and the slot.
    await advance(3_000);
    expect(posted).toEqual([{ channel: "C3", slot: "2025-07-01T09:00:00.000Z", by: "leader" }]);
    await advance(2 * 60_000);
    expect(posted).toHaveLength(1);
    await leader.stop();
  });

  it("slots follow the injected clock: moved forward to a slot, the leader posts it without waiting for that instant", async () => {
    vi.useRealTimers();
    let offsetMs = Date.parse("2025-07-01T08:59:59Z") - Date.now();
    const now = () => new Date(Date.now() + offsetMs);
    const store = await freshStore();
    const posted: Posted[] = [];
    const digests = new DigestSchedules({
      store,
      now,
      syncMs: 20,
      post: async (channel, slot) => {
        posted.push({ channel, slot: slot.toISOString(), by: "leader" });
      },
    });
    await digests.set("C1", "0 9 * * *", "UTC", "U1");
    await digests.start();
    expect(posted).toEqual([]);
    offsetMs = Date.parse("2025-07-01T09:00:00.200Z") - Date.now();
    await vi.waitFor(() => expect(posted).toHaveLength(1), { timeout: 15_000, interval: 20 });
    expect(posted).toEqual([{ channel: "C1", slot: "2025-07-01T09:00:00.000Z", by: "leader" }]);
    await digests.stop();
  });
});
