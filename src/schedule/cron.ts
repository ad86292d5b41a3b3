import { createTask, validateDetailed } from "node-cron";
import { UserFacingError } from "../release/index.ts";

export const CRON_EXAMPLE = '"0 9 * * 1-5" Europe/Berlin (weekdays at 09:00 Berlin time)';

export class ScheduleError extends UserFacingError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { retryable: false, cause });
    this.name = "ScheduleError";
  }
}

/**
 * Checks a five-field cron expression (minute hour day-of-month month day-of-week). Seconds are refused: a digest
 * or a step is never due more than once a minute, and slots are recorded to the minute.
 */
export function validateCron(expression: string): string {
  const expr = expression.trim().replace(/\s+/g, " ");
  const fields = expr === "" ? [] : expr.split(" ");
  const bad = (why: string) =>
    new ScheduleError(
      "bad-cron",
      `"${expression}" is not a schedule Graydesk understands: ${why}. Use five fields — minute hour day-of-month month day-of-week — for example ${CRON_EXAMPLE}.`,
    );
  if (fields.length !== 5) throw bad(`it has ${fields.length} field${fields.length === 1 ? "" : "s"}, not 5`);
  const detail = validateDetailed(expr);
  if (!detail.valid) {
    const first = detail.errors[0];
    throw bad(first ? `${first.field}: ${first.message}` : "it does not parse");
  }
  return expr;
}

/** Returns the IANA time zone's canonical name, or explains with an example. */
export function validateTimezone(timezone: string): string {
  const tz = timezone.trim();
  const bad = (cause?: unknown) =>
    new ScheduleError(
      "bad-timezone",
      `"${timezone}" is not a time zone. Use an IANA name such as Europe/Berlin, America/New_York or UTC; for example ${CRON_EXAMPLE}.`,
      cause,
    );
  // Offsets such as "+02:00" are accepted by Intl but drift across daylight saving: refuse them.
  if (tz === "" || /^[+-]/.test(tz)) throw bad();
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch (cause) {
    throw bad(cause);
  }
}

/** Whole-minute instant: schedules fire per minute, and slots are compared as such. */
export function toMinute(date: Date | number): Date {
  const ms = typeof date === "number" ? date : date.getTime();
  return new Date(Math.floor(ms / 60_000) * 60_000);
}

/**
 * The latest slot of the schedule in (after, upTo], or undefined. Used on start to catch up a slot missed
 * during a restart; the window is a few minutes, so walking it minute by minute costs little.
 */
export function latestSlot(expression: string, timezone: string, after: Date, upTo: Date): Date | undefined {
  const task = createTask(expression, () => undefined, { timezone });
  try {
    for (let t = toMinute(upTo).getTime(); t > after.getTime(); t -= 60_000) {
      if (task.match(new Date(t))) return new Date(t);
    }
    return undefined;
  } finally {
    void task.destroy();
  }
}

/** The next `count` slots after the current time (node-cron's own computation, timezone-aware). */
export function nextSlots(expression: string, timezone: string, count = 1): Date[] {
  const task = createTask(expression, () => undefined, { timezone });
  try {
    return task.getNextRuns(count);
  } finally {
    void task.destroy();
  }
}
