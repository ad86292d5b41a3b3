import type { Store, StoreData } from "../store/index.ts";

export type StepState = "started" | "done";

/** A plan being applied: which steps started and which finished, kept until the apply ends. */
export interface JournalEntry {
  id: string;
  planId: string;
  jobId: string;
  state: "running" | "done" | "failed";
  steps: StepState[];
  startedAt: string;
  error?: string;
}

export function journalEntries(data: Readonly<StoreData>): JournalEntry[] {
  return Object.values(data.journal) as unknown as JournalEntry[];
}

/**
 * Opens a plan's journal inside a store update the caller is making anyway (the apply's own status change),
 * so the approval's path to the first change pays for one whole-store write instead of two.
 */
export function openJournal(
  draft: StoreData,
  planId: string,
  jobId: string,
  at: string,
  started?: number,
): void {
  const open = draft.journal[planId] as unknown as JournalEntry | undefined;
  if (open) {
    if (started !== undefined) open.steps[started] = "started";
    return;
  }
  const steps: StepState[] = [];
  if (started !== undefined) steps[started] = "started";
  const entry: JournalEntry = { id: planId, planId, jobId, state: "running", steps, startedAt: at };
  draft.journal[planId] = entry as unknown as StoreData["journal"][string];
}

/** Closes a running journal inside the caller's store update; nothing when there is none. */
export function closeJournal(
  draft: StoreData,
  planId: string,
  state: "done" | "failed",
  error?: string,
): void {
  const entry = draft.journal[planId] as unknown as JournalEntry | undefined;
  if (entry?.state !== "running") return;
  entry.state = state;
  if (error) entry.error = error;
}

/** The journal of one apply; every mark is on disk before the step it describes runs or is reported. */
export class Journal {
  readonly #store: Store;
  readonly #id: string;

  constructor(store: Store, planId: string) {
    this.#store = store;
    this.#id = planId;
  }

  entry(): JournalEntry | undefined {
    return this.#store.data().journal[this.#id] as unknown as JournalEntry | undefined;
  }

  /**
   * Opens the entry; with `started`, that step is marked started in the same store write (each write
   * rewrites the store, and it is on the path from the approval to the first change).
   */
  begin(jobId: string, at: string, started?: number): Promise<void> {
    return this.#store.update((draft) => openJournal(draft, this.#id, jobId, at, started));
  }

  mark(index: number, state: StepState): Promise<void> {
    return this.#change((entry) => {
      entry.steps[index] = state;
    });
  }

  end(state: "done" | "failed", error?: string): Promise<void> {
    return this.#change((entry) => {
      entry.state = state;
      if (error) entry.error = error;
    });
  }

  #change(edit: (entry: JournalEntry) => void): Promise<void> {
    return this.#store.update((draft) => {
      const entry = draft.journal[this.#id] as unknown as JournalEntry | undefined;
      if (entry) edit(entry);
    });
  }
}
