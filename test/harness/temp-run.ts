// The unit suite's global setup: the run gets a temporary directory of its own (TMPDIR: every worker, os.tmpdir()
// and the Graydesk processes tests start use it), removed at the end. The run fails if a test left anything in
// it: each file's temporary directories go when the file ends (temp-dir.ts), so what remains was not cleaned up.
// (The system temp directory itself is shared with whatever else runs on the machine, so it is not compared.)
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export default function setup(): () => void {
  const run = mkdtempSync(path.join(tmpdir(), "graydesk-test-run-"));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = run;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    // Node's own compile cache is not a test's leftover.
    const left = readdirSync(run).filter((e) => e !== "node-compile-cache");
    rmSync(run, { recursive: true, force: true });
    if (left.length > 0) {
      // Printed, and the run fails: a test made a temporary file or directory and did not remove it.
      process.stderr.write(
        `temporary entries left by tests (use test/harness/temp-dir.ts):\n  ${left.join("\n  ")}\n`,
      );
      throw new Error(`${left.length} temporary entries were left by tests`);
    }
  };
}
