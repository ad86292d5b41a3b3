import { rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GENESIS, recordHash } from "../src/store/audit-chain.ts";
import { AUDIT_FILE, openAuditLog } from "../src/store/index.ts";
import { emit, percentile, round } from "./stats.ts";

/** A chained audit log of `n` events, as a long-running Graydesk leaves it. */
function writeLog(dir: string, n: number): void {
  const lines: string[] = [];
  let prev = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const unsigned = {
      at: new Date(seq * 1000).toISOString(),
      seq,
      kind: "shift.applied",
      actor: "U1",
      job: `job-${seq % 97}`,
      namespace: "bookinfo",
      prev,
    };
    const hash = recordHash(unsigned);
    lines.push(JSON.stringify({ ...unsigned, hash }));
    prev = hash;
  }
  writeFileSync(path.join(dir, AUDIT_FILE), `${lines.join("\n")}\n`);
}

/**
 * What opening App Home reads from the audit log at 1,000 and 100,000 events: now its in-memory tail
 * (`recent`), before this the whole file (`readAll`, shown for comparison). Bytes and records are counted.
 */
export async function benchHomeOpen(samples = 200): Promise<void> {
  for (const events of [1_000, 100_000]) {
    const dir = await mkdtemp(path.join(tmpdir(), "graydesk-bench-home-"));
    try {
      writeLog(dir, events);
      let bytes = 0;
      const log = await openAuditLog(dir, { onRead: (b) => (bytes += b) });
      const startupBytes = bytes;
      for (const way of ["recent", "readAll"] as const) {
        const runs = way === "readAll" ? Math.min(samples, 20) : samples;
        const before = bytes;
        let records = 0;
        const latencies: number[] = [];
        for (let i = 0; i < runs; i++) {
          const start = performance.now();
          const read = way === "recent" ? await log.recent() : (await log.readAll()).reverse();
          latencies.push(performance.now() - start);
          records += read.length;
        }
        emit({
          bench: "home-open-audit",
          events,
          read: way,
          samples: runs,
          startupBytes,
          bytesPerOpen: Math.round((bytes - before) / runs),
          recordsPerOpen: Math.round(records / runs),
          p50Ms: round(percentile(latencies, 50)),
          p99Ms: round(percentile(latencies, 99)),
        });
      }
      await log.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (import.meta.main) await benchHomeOpen();
