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
  /**
   * The Graydesk process applying it (its identity) and when that process last said it still is (see
   * tendJournal in src/desk/recover.ts). With state shared by replicas, another replica resumes the apply only
   * once that word is stale; entries written by an older release have neither.
   */
  owner?: string;
  heartbeatAt?: string;
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
  owner?: string,
): void {
  const open = draft.journal[planId] as unknown as JournalEntry | undefined;
  if (open) {
    if (started !== undefined) open.steps[started] = "started";
    return;
  }
  const steps: StepState[] = [];
  if (started !== undefined) steps[started] = "started";
  const entry: JournalEntry = {
    id: planId,
    planId,
    jobId,
    state: "running",
    steps,
    startedAt: at,
    ...(owner ? { owner, heartbeatAt: at } : {}),
  };
  draft.journal[planId] = entry as unknown as StoreData["journal"][string];
}

/**
 * The apply's journal now belongs to another process (a replica that found this one's word stale and resumed
 * the apply): this process stops, as a crash would, and leaves the rest to it.
 */
export class TakenOver extends Error {
  constructor(planId: string, owner: string | undefined) {
    super(`the apply of plan ${planId} was taken over by ${owner ?? "another process"}`);
    this.name = "TakenOver";
  }
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
  readonly #owner: string | undefined;

  /** `owner`: this process's identity; a mark on an entry another process owns now is refused (TakenOver). */
  constructor(store: Store, planId: string, owner?: string) {
    this.#store = store;
    this.#id = planId;
    this.#owner = owner;
  }

  entry(): JournalEntry | undefined {
    return this.#store.data().journal[this.#id] as unknown as JournalEntry | undefined;
  }

  /**
   * Opens the entry; with `started`, that step is marked started in the same store write (each write
   * rewrites the store, and it is on the path from the approval to the first change).
   */
  begin(jobId: string, at: string, started?: number): Promise<void> {
    return this.#store.update((draft) => openJournal(draft, this.#id, jobId, at, started, this.#owner));
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
      if (!entry) return;
      if (this.#owner && entry.owner && entry.owner !== this.#owner)
        throw new TakenOver(this.#id, entry.owner);
      edit(entry);
    });
  }
}
