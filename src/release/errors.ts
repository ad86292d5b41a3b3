import { plainText } from "./escape.ts";

/** One problem with one field of a form or command, phrased for the person who filled it in. */
export interface FieldError {
  /** Path of the field, e.g. `containers[0].ports[1].name`. */
  field: string;
  /**
   * Plain text, not mrkdwn: a modal's `errors` are plain_text in Slack, where `&lt;` would show as typed. No
   * cluster text reaches them today (cluster failures end a modal as mrkdwn, in its outcome or a reply); should
   * one ever be wanted here, take `userTextOf(error)`, not the escaped message.
   */
  message: string;
}

/**
 * An error whose `message` may be shown to users as is, as Slack mrkdwn (ephemeral replies, notes): text in it
 * that came from elsewhere (the cluster, a registry, Prometheus) is escaped where the message is composed.
 * Where it is kept as plain text instead (a stored reason, a plain-text modal error), take `userTextOf`.
 * Anything that is not a UserFacingError gets a generic apology instead, and is only logged.
 */
export class UserFacingError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "UserFacingError";
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * A UserFacingError carries a message written for the user (validation, permission, a Kubernetes refusal worded
 * for people). Anything else is an internal fault: the user gets an apology, the log gets the details.
 */
export function userMessageOf(error: unknown): string | undefined {
  return error instanceof UserFacingError ? error.message : undefined;
}

/**
 * A UserFacingError's message as plain text: for records that keep the reason (a job's failure, a request's
 * outcome, the audit trail) and views that escape it when they show it, so it is escaped once, not twice.
 */
export function userTextOf(error: unknown): string | undefined {
  return error instanceof UserFacingError ? plainText(error.message) : undefined;
}

export type ReleaseErrorCode =
  | "invalid-field"
  | "not-allowed"
  | "stale-plan"
  | "conflict"
  | "not-found"
  | "forbidden"
  | "cluster-unavailable"
  | "unsupported";

/** Errors the release domain and the layers around it raise about a release job. */
export class ReleaseError extends UserFacingError {
  declare readonly code: ReleaseErrorCode;
  readonly fields: FieldError[] | undefined;

  constructor(
    code: ReleaseErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown; fields?: FieldError[] } = {},
  ) {
    super(code, message, { retryable: options.retryable ?? defaultRetryable(code), cause: options.cause });
    this.name = "ReleaseError";
    this.fields = options.fields;
  }
}

// Conflicts and an unreachable cluster clear up by themselves; everything else needs a person.
function defaultRetryable(code: ReleaseErrorCode): boolean {
  return code === "conflict" || code === "cluster-unavailable" || code === "stale-plan";
}

/** Throws an `invalid-field` ReleaseError when there is anything to report. */
export function assertNoFieldErrors(errors: FieldError[], what: string): void {
  if (errors.length === 0) return;
  const first = errors[0]?.message ?? "";
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  throw new ReleaseError("invalid-field", `${what}: ${first}${more}`, { fields: errors });
}
