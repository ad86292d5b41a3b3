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
    return this.#store.update((draft) => {
      const open = draft.journal[this.#id] as unknown as JournalEntry | undefined;
      if (open) {
        if (started !== undefined) open.steps[started] = "started";
        return;
      }
      const steps: StepState[] = [];
      if (started !== undefined) steps[started] = "started";
      const entry: JournalEntry = {
        id: this.#id,
        planId: this.#id,
        jobId,
        state: "running",
        steps,
        startedAt: at,
      };
      draft.journal[this.#id] = entry as unknown as StoreData["journal"][string];
    });
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
