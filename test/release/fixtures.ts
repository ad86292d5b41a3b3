import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { ReleaseJob } from "../../src/release/index.ts";

const DIR = new URL("../fixtures/release/", import.meta.url);

export function loadFixture<T>(name: string): T {
  return parse(readFileSync(new URL(name, DIR), "utf8")) as T;
}

/** The reviews canary job, with any fields replaced. */
export function reviewsJob(overrides: Partial<ReleaseJob> = {}): ReleaseJob {
  return { ...loadFixture<ReleaseJob>("reviews-job.yaml"), ...overrides };
}
