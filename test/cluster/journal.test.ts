import { afterEach, describe, expect, it } from "vitest";
import { Journal, type JournalEntry, TakenOver } from "../../src/cluster/index.ts";
import { openFileStore, type Store } from "../../src/store/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const entryOf = (store: Store, id: string) => store.data().journal[id] as unknown as JournalEntry | undefined;

describe("an apply's journal and the process that owns it", () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it("names its owner and when the owner last spoke; an older journal without an owner is marked as before", async () => {
    store = await openFileStore(tempDir("graydesk-journal-"));
    await new Journal(store, "plan-a", "replica-a").begin("job-1", "2026-12-06T10:00:00.000Z", 0);
    expect(entryOf(store, "plan-a")).toMatchObject({
      state: "running",
      steps: ["started"],
      owner: "replica-a",
      heartbeatAt: "2026-12-06T10:00:00.000Z",
    });
    await new Journal(store, "plan-old").begin("job-2", "2026-12-06T10:00:00.000Z");
    expect(entryOf(store, "plan-old")).not.toHaveProperty("owner");
    await new Journal(store, "plan-old", "replica-b").mark(0, "done");
    expect(entryOf(store, "plan-old")?.steps).toEqual(["done"]);
  });

  it("refuses its owner's next mark once another process took it over, and changes nothing", async () => {
    store = await openFileStore(tempDir("graydesk-journal-"));
    const mine = new Journal(store, "plan-a", "replica-a");
    await mine.begin("job-1", "2026-12-06T10:00:00.000Z", 0);
    await mine.mark(0, "done");
    await store.update((draft) => {
      Object.assign(draft.journal["plan-a"] as object, { owner: "replica-b" });
    });
    await expect(mine.mark(1, "started")).rejects.toBeInstanceOf(TakenOver);
    await expect(mine.end("done")).rejects.toThrow(/taken over by replica-b/);
    expect(entryOf(store, "plan-a")).toMatchObject({ state: "running", steps: ["done"], owner: "replica-b" });
    // The new owner goes on.
    await new Journal(store, "plan-a", "replica-b").mark(1, "started");
    expect(entryOf(store, "plan-a")?.steps).toEqual(["done", "started"]);
  });
});
