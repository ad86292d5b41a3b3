// `npm run audit:verify` walks the chain and names the first broken record: an edited, a deleted and a cut
// record in turn, each in a log otherwise intact.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AUDIT_FILE, openAuditLog } from "../../src/store/index.ts";
import { ROOT } from "../harness/entry-point.ts";
import { tempDir } from "../harness/temp-dir.ts";

let intact: string[];

beforeAll(async () => {
  const dir = tempDir("graydesk-audit-verify-");
  const log = await openAuditLog(dir, () => new Date("2026-11-22T10:00:00Z"));
  for (let i = 1; i <= 10; i++)
    await log.append({ kind: i % 2 ? "approved" : "applied", actor: "U0BOB", job: "reviews", detail: { i } });
  await log.close();
  intact = readFileSync(path.join(dir, AUDIT_FILE), "utf8").split("\n").filter(Boolean);
});

/** Runs the npm script on a copy of the log changed by `spoil`. */
function verify(lines: string[], ending = "\n"): { status: number | null; out: string } {
  const dir = tempDir("graydesk-audit-verify-");
  writeFileSync(path.join(dir, AUDIT_FILE), `${lines.join("\n")}${ending}`);
  const run = spawnSync("npm", ["run", "--silent", "audit:verify", "--", dir], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { status: run.status, out: run.stdout + run.stderr };
}

describe("npm run audit:verify", () => {
  it("says every link holds in an untouched log", () => {
    const { status, out } = verify(intact);
    expect(status).toBe(0);
    expect(out).toContain("10 records, every link of the chain holds");
  });

  it("names an edited record (the actor changed)", () => {
    const lines = [...intact];
    lines[3] = (lines[3] as string).replace("U0BOB", "U0MALLORY");
    const { status, out } = verify(lines);
    expect(status).toBe(1);
    expect(out).toContain("record seq 4 (line 4) was changed after it was written");
  });

  it("names the record after a deleted one", () => {
    const lines = intact.filter((_, i) => i !== 5);
    const { status, out } = verify(lines);
    expect(status).toBe(1);
    expect(out).toContain("record seq 7 (line 6) does not follow the record before it");
  });

  it("names a record cut short, in the middle or at the end", () => {
    const middle = [...intact];
    middle[2] = (middle[2] as string).slice(0, 40);
    expect(verify(middle).out).toContain("line 3 is not a whole record");
    const end = [...intact];
    end[9] = (end[9] as string).slice(0, 40);
    const { status, out } = verify(end, "");
    expect(status).toBe(1);
    expect(out).toContain("line 10 is not a whole record");
  });
});
