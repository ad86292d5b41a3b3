import { createHash } from "node:crypto";

/** The `prev` of the first record of a chain. */
export const GENESIS = "0".repeat(64);

/** What chains a record to the one before it: `prev` is that record's `hash`; `hash` covers this record. */
export interface ChainLinks {
  seq: number;
  prev: string;
  hash: string;
}

/**
 * The hash of a record: SHA-256 over its JSON without `hash` (which holds `prev`, so each hash covers every
 * record before it). Editing, removing or reordering any record breaks the link after it, and an edit of the last
 * record breaks its own hash.
 */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _hash, ...rest } = record;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex");
}

export type ChainProblem = { line: number; seq?: number; why: string };

/** Where a chain of JSON lines breaks first, or undefined when every link holds (pure: no I/O). */
export function firstBreak(
  lines: readonly string[],
  start: { line: number; prev?: string; seq?: number } = { line: 1 },
): ChainProblem | undefined {
  let prev = start.prev;
  let seq = start.seq;
  let chained = start.prev !== undefined;
  for (const [i, text] of lines.entries()) {
    const line = start.line + i;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { line, why: "is not a whole record (cut short or altered)" };
    }
    if (typeof record !== "object" || record === null) return { line, why: "is not a record" };
    const at = typeof record.seq === "number" ? record.seq : undefined;
    if (typeof record.hash !== "string" || typeof record.prev !== "string") {
      // Records from before the chain (an older Graydesk) may only come first; the chain starts from the last.
      if (prev !== undefined && chained)
        return { line, ...(at ? { seq: at } : {}), why: "carries no chain hash" };
      prev = recordHash(record);
      seq = at;
      continue;
    }
    chained = true;
    if (recordHash(record) !== record.hash)
      return {
        line,
        ...(at ? { seq: at } : {}),
        why: "was changed after it was written (its hash does not match)",
      };
    if (prev !== undefined && record.prev !== prev)
      return {
        line,
        ...(at ? { seq: at } : {}),
        why: "does not follow the record before it: a record was removed, reordered or changed before it",
      };
    if (seq !== undefined && at !== seq + 1)
      return { line, ...(at ? { seq: at } : {}), why: `comes after seq ${seq}: records are missing` };
    prev = record.hash;
    seq = at;
  }
  return undefined;
}

export function describeBreak(file: string, problem: ChainProblem): string {
  const which =
    problem.seq !== undefined ? `record seq ${problem.seq} (line ${problem.line})` : `line ${problem.line}`;
  return `${file}: ${which} ${problem.why}`;
}
