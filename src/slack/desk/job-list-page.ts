import { buildJobList } from "../../../views/job-list.ts";
import type { Actor } from "../../approvals/index.ts";
import { GatedReleases } from "../../controllers/index.ts";
import type { GatedRelease } from "../../controllers/types.ts";
import { jobScope, type ReleaseJob, UserFacingError } from "../../release/index.ts";
import type { SlackDeps } from "../deps.ts";
import type { Reply } from "../reply.ts";

/** Entries per page: with the headings, at most 42 sections and the More button, under Slack's 50 blocks. */
export const LIST_PAGE_SIZE = 40;

/** Where the next page starts: the list's namespace (none: every namespace) and the last entry shown. */
export interface ListCursor {
  namespace?: string;
  after: string;
}

type Entry = { key: string; job: ReleaseJob } | { key: string; gated: GatedRelease };

/**
 * A stable order that survives jobs being added between presses (keys, not offsets): jobs before gated
 * releases, each by scope and name, the id breaking ties.
 */
const jobKey = (job: ReleaseJob) => `1 ${jobScope(job)}/${job.name} ${job.id}`;
const gatedKey = (g: GatedRelease) => `2 ${g.namespace}/${g.name} ${g.controller}`;

export function encodeListCursor(cursor: ListCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

/** The More button's value, untrusted: anything that is not a cursor we wrote is refused in words. */
export function decodeListCursor(value: string): ListCursor {
  const refuse = () =>
    new UserFacingError("bad-list-cursor", "That list page is not valid. Run `/release list` again.");
  if (value.length > 1500) throw refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw refuse();
  }
  if (typeof parsed !== "object" || parsed === null) throw refuse();
  const { namespace, after } = parsed as Record<string, unknown>;
  if (typeof after !== "string" || (namespace !== undefined && typeof namespace !== "string")) throw refuse();
  return { after, ...(namespace !== undefined ? { namespace } : {}) };
}

export type ListDeps = Pick<SlackDeps, "desk" | "store" | "authorizer">;

/**
 * One page of the jobs (and gated releases) in `namespace`, or in every namespace this person may view,
 * starting after the cursor's entry.
 */
export async function jobListPage(
  deps: ListDeps,
  actor: Actor,
  namespace: string | undefined,
  after?: string,
): Promise<Reply> {
  const jobs = deps.desk.jobs(namespace);
  const gated = new GatedReleases(deps.store).all(namespace);
  const may = new Set<string>();
  // With several clusters a job's namespace is judged by its cluster's policy (`cluster/namespace`).
  for (const ns of new Set([...jobs.map((j) => jobScope(j)), ...gated.map((g) => g.namespace)]))
    if ((await deps.authorizer.authorize(actor, "jobs.list", ns)).ok) may.add(ns);
  const entries: Entry[] = [
    ...jobs.filter((j) => may.has(jobScope(j))).map((job) => ({ key: jobKey(job), job })),
    ...gated.filter((g) => may.has(g.namespace)).map((g) => ({ key: gatedKey(g), gated: g })),
  ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const start = after === undefined ? 0 : entries.findIndex((e) => e.key > after);
  const from = start < 0 ? entries.length : start;
  const page = entries.slice(from, from + LIST_PAGE_SIZE);
  const last = page.at(-1);
  const more = from + page.length < entries.length && last !== undefined;
  return buildJobList(
    {
      jobs: page.flatMap((e) => ("job" in e ? [e.job] : [])),
      gated: page.flatMap((e) => ("gated" in e ? [e.gated] : [])),
      start: from,
      totalJobs: entries.filter((e) => "job" in e).length,
      totalGated: entries.filter((e) => "gated" in e).length,
      ...(more ? { next: encodeListCursor({ after: last.key, ...(namespace ? { namespace } : {}) }) } : {}),
    },
    namespace,
  );
}
