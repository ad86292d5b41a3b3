// Digests judge a job by its analysis when there is one: settling and too few requests read as such, not as a
// breach of numbers whose rate window still holds the old split.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { openPolicy } from "../../src/approvals/index.ts";
import type { ReleaseJob } from "../../src/release/index.ts";
import { buildDigest } from "../../src/schedule/index.ts";
import type { Verdict, VersionHealth } from "../../src/telemetry/index.ts";

const fixture = (name: string) =>
  parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8"));
const job = fixture("release/reviews-job.yaml") as ReleaseJob;
const health = fixture("schedule/digest-health.yaml") as Record<"healthy" | "failing", VersionHealth>;
const sample = { requests: 900, successRate: 1, p99Ms: 40, share: 20 };

const text = (verdicts: Verdict[], h: VersionHealth) =>
  JSON.stringify(
    buildDigest({
      now: new Date("2025-07-01T09:00:00Z"),
      jobs: [{ job, health: h, verdicts }],
      approvals: [],
      policy: openPolicy(),
    }),
  );

describe("digest health from the analysis", () => {
  it.each([
    [
      "settling: the failing numbers are not a breach yet",
      [
        {
          kind: "inconclusive",
          version: "v2",
          reason: "settling",
          text: "v2: settling after the last change until 09:01:00 UTC; nothing is judged before.",
          failedChecks: 0,
        },
      ],
      ":hourglass_flowing_sand: v2: settling after the last change until 09:01:00 UTC",
    ],
    [
      "a failing verdict",
      [
        {
          kind: "fail",
          version: "v2",
          at: 0,
          metric: "success-rate",
          value: 0.5,
          threshold: 0.95,
          text: "v2: 50.0 % of requests succeeded, below the 95.0 % minimum.",
          sample,
          failedChecks: 2,
        },
      ],
      ":red_circle: v2: 50.0 % of requests succeeded, below the 95.0 % minimum.",
    ],
    [
      "passing",
      [{ kind: "pass", version: "v2", at: 0, sample, failedChecks: 0 }],
      ":large_green_circle: healthy (analysis passes)",
    ],
  ] as [string, Verdict[], string][])("%s", (_name, verdicts, expected) => {
    expect(text(verdicts, health.failing)).toContain(expected);
  });
});
