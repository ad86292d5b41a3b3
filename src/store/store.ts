import type { StoreData } from "./schema.ts";

/** What every store backend offers: lowdb for one replica, Kubernetes objects for several. */
export interface Store {
  /** The current state. Treat it as read-only: change it only through `update`. */
  data(): Readonly<StoreData>;
  /**
   * Runs `mutate` on a draft and persists it before resolving; updates never interleave, so reading a field
   * and setting it inside one call is a compare-and-set. If persisting fails, nothing changes.
   */
  update<T>(mutate: (draft: StoreData) => T): Promise<T>;
  /** Resolves once every update already asked for is on disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  readonly code = "store";
}
