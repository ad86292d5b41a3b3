import { writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AUDIT_FILE, openAuditLog } from "../src/store/index.ts";
import { emit, percentile, round } from "./stats.ts";

/** Appends to audit logs that already hold 100 and 100,000 events: the latency should not depend on the size. */
export async function benchAuditAppend(samples = 2_000): Promise<void> {
  for (const existing of [100, 100_000]) {
    const dir = await mkdtemp(path.join(tmpdir(), "graydesk-bench-audit-"));
    const lines: string[] = [];
    for (let i = 1; i <= existing; i++) {
      lines.push(
        JSON.stringify({
          at: new Date(0).toISOString(),
          seq: i,
          kind: "shift.applied",
          actor: "U1",
          job: `job-${i % 97}`,
        }),
      );
    }
    writeFileSync(path.join(dir, AUDIT_FILE), `${lines.join("\n")}\n`);
    const log = await openAuditLog(dir);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      await log.append({
        kind: "shift.applied",
        actor: "U2",
        job: "reviews-canary",
        detail: { v1: 80, v2: 20 },
      });
      latencies.push(performance.now() - start);
    }
    await log.close();
    emit({
      bench: "audit-append",
      existingEvents: existing,
      samples,
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
    });
  }
}

if (import.meta.main) await benchAuditAppend();
