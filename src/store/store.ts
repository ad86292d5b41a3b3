import { UserFacingError } from "../release/errors.ts";
import { escapeText } from "../release/escape.ts";
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

/**
 * The state file could not be written (disk full, read-only or broken DATA_DIR). The change was not saved and
 * memory still matches the file on disk, so the person is told plainly and may try again once it is fixed.
 */
export class StoreWriteError extends UserFacingError {
  constructor(file: string, cause: NodeJS.ErrnoException) {
    const why = cause.code === "ENOSPC" ? "the disk is full" : (cause.code ?? cause.message);
    super(
      "store-write",
      `Graydesk could not save this change: writing ${file} failed (${why}). Nothing was changed; ` +
        "once DATA_DIR has room and is writable, try again.",
      { retryable: true, cause },
    );
  }
}

/**
 * The audit trail could not be written (disk full, read-only DATA_DIR). Decisions are recorded before they are
 * committed, so this one was not made: the person is told plainly and may try again once it is fixed.
 */
export class AuditWriteError extends UserFacingError {
  constructor(file: string, cause: NodeJS.ErrnoException) {
    const why = cause.code === "ENOSPC" ? "the disk is full" : (cause.code ?? cause.message);
    super(
      "audit-write",
      `Graydesk could not record this in its audit trail: writing ${file} failed (${why}), so it did not go ` +
        "ahead. Once DATA_DIR has room and is writable, try again.",
      { retryable: true, cause },
    );
  }
}

/**
 * The cluster refused Graydesk a write to its state ConfigMaps (RBAC): shown to the person whose change was not
 * saved, naming the verb and resource as RBAC does, so the operator knows what to grant.
 */
export class StoreForbiddenError extends UserFacingError {
  constructor(verb: "create" | "update" | "delete", namespace: string, cause: { body?: unknown }) {
    const said = statusMessage(cause.body);
    // The API server's words are data: escaped for the mrkdwn this message is shown in.
    const detail = said !== undefined ? escapeText(said) : "the API server answered 403";
    super(
      "forbidden",
      `Graydesk could not save this change in namespace ${namespace}: forbidden: ${verb} configmaps — ${detail}`,
      { cause },
    );
  }
}

function statusMessage(body: unknown): string | undefined {
  try {
    const status = (typeof body === "string" ? JSON.parse(body) : body) as { message?: unknown } | undefined;
    return typeof status?.message === "string" ? status.message : undefined;
  } catch {
    return undefined;
  }
}
