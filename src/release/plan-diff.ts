import { stringify } from "yaml";
import type { PlanStep } from "./plan.ts";

/** Slack's section text holds 3000 characters; leave room for the heading around the diff. */
export const DIFF_LIMIT = 2500;
const CONTEXT = 2;

/**
 * A step as a short line diff of its YAML (`- ` removed, `+ ` added, a little context), so approvers
 * see what changes without reading whole objects. Long diffs are cut with a note.
 */
export function renderDiff(step: PlanStep, limit = DIFF_LIMIT): string {
  const title = `${step.action} ${step.object.kind} ${step.object.namespace}/${step.object.name}`;
  if (step.action === "wait-ready") return `${title}: wait until all replicas are ready`;
  const before = step.before ? yamlLines(step.before) : [];
  const after = step.after ? yamlLines(step.after) : step.patch ? yamlLines(step.patch.body) : [];
  const lines = diffLines(before, after);
  let text = `${title}\n`;
  for (let i = 0; i < lines.length; i++) {
    const line = `${lines[i]}\n`;
    if (text.length + line.length > limit) {
      return `${text}… ${lines.length - i} more lines not shown; the full plan has them all.`;
    }
    text += line;
  }
  return text.trimEnd();
}

/**
 * Keys sorted, so an object read back from the API server (its own key order) and one built here differ only
 * where their values do; an object used twice (a Strategy's labels) is written out twice, not as `&a1`/`*a1`.
 */
export function yamlLines(value: unknown): string[] {
  return stringify(value, { lineWidth: 0, sortMapEntries: true, aliasDuplicateObjects: false })
    .trimEnd()
    .split("\n");
}

/** LCS line diff with CONTEXT unchanged lines around each change; `…` marks skipped runs. */
export function diffLines(before: string[], after: string[]): string[] {
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] =
        before[i] === after[j]
          ? (lcs[i + 1]?.[j + 1] ?? 0) + 1
          : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const ops: { sign: " " | "-" | "+"; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      ops.push({ sign: " ", text: before[i++] as string });
      j++;
    } else if (i < n && (j >= m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      ops.push({ sign: "-", text: before[i++] as string });
    } else {
      ops.push({ sign: "+", text: after[j++] as string });
    }
  }
  const near = ops.map((_, k) =>
    ops.slice(Math.max(0, k - CONTEXT), k + CONTEXT + 1).some((op) => op.sign !== " "),
  );
  const out: string[] = [];
  ops.forEach((op, k) => {
    if (near[k]) out.push(`${op.sign} ${op.text}`);
    else if (near[k - 1] || (k === 0 && !near[0])) out.push("  …");
  });
  return out;
}
