import type { JournalEntry } from "../cluster/index.ts";
import { refKey } from "../cluster/index.ts";
import type { RecordedOriginal } from "../release/index.ts";
import type { PlanRecord } from "./records.ts";

/**
 * The originals of a job whose first change a crash interrupted. What the change recorded before
 * writing anything holds, so an object it created stays "created" (read again now, it would look found
 * and finalize would keep it). Only an object it meant to create but never started creating is read
 * again: if it exists now, someone else made it, and it is found.
 */
export function originalsAfterCrash(
  record: Pick<PlanRecord, "plan" | "originals">,
  entry: Pick<JournalEntry, "steps"> | undefined,
  now: RecordedOriginal[],
): RecordedOriginal[] {
  const recorded = record.originals ?? [];
  if (recorded.length === 0) return now;
  const key = (o: { apiVersion: string; kind: string; name: string }) =>
    refKey({ apiVersion: o.apiVersion, kind: o.kind, name: o.name });
  const started = new Set(
    record.plan.steps
      .filter((step, index) => step.action === "create" && entry?.steps[index] !== undefined)
      .map((step) => key(step.object)),
  );
  return recorded.map((original) => {
    if (original.spec !== undefined || started.has(key(original))) return original;
    return now.find((fresh) => key(fresh) === key(original)) ?? original;
  });
}
