/**
 * What a person reads on a Slack surface, and what must never be in it: raw event kinds, ISO or UTC times
 * (times are `<!date^…>` tokens, read in each reader's zone, or the schedule's own zone) and internal ids.
 */

/** Every visible string of a message, modal or Home view: text objects, alt text, prefilled input values. */
export function visibleTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) visibleTexts(v, out);
  else if (value && typeof value === "object")
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === "string" && ["text", "alt_text", "initial_value"].includes(key)) out.push(v);
      else visibleTexts(v, out);
    }
  return out;
}

/** Event kinds and job states as the code names them; people read them in words (views/event-words.ts). */
export const RAW_KINDS = [
  "plan.applied",
  "plan.created",
  "plan.refused",
  "plan.recovered",
  "plan.tampered",
  "job.created",
  "job.create-failed",
  "job.deployed",
  "job.failed",
  "job.retried",
  "job.abandoned",
  "job.adopted",
  "policy.rollback",
  "routes-held",
  "schedule-approved",
  "takeOver",
  "takeOffline",
  "taken-over",
  "rolled-back",
];

const PATTERNS: [string, RegExp][] = [
  ["ISO time", /\d{4}-\d\d-\d\dT\d\d:\d\d/],
  ["UTC time", /\bUTC\b/],
  ["job id", /\bjob-[0-9a-f]{8}\b/],
  ["plan id", /\bplan-[0-9a-f]{8}\b/],
  ["request id", /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/],
];

/** A Slack date token's fallback is for clients that cannot format dates: not what people read. */
const DATE_TOKEN = /<!date\^\d+\^[^|>]*\|[^>]*>/g;

/** What in `text` a person should not read: each finding names what it is and the text around it. */
export function leaks(text: string): string[] {
  const seen = text.replace(DATE_TOKEN, "<date>");
  const found: string[] = [];
  for (const kind of RAW_KINDS) {
    const at = seen.indexOf(kind);
    if (at >= 0) found.push(`raw kind ${kind}: …${seen.slice(Math.max(0, at - 40), at + 40)}…`);
  }
  for (const [what, pattern] of PATTERNS) {
    const match = pattern.exec(seen);
    if (match) found.push(`${what}: …${seen.slice(Math.max(0, match.index - 40), match.index + 40)}…`);
  }
  return found;
}

/** Every leak on a surface (a message's blocks and text, a view), one line each. */
export function surfaceLeaks(surface: unknown): string[] {
  return visibleTexts(surface).flatMap(leaks);
}
