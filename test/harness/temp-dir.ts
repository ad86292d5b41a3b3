import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Directories made in this test file; `removeTempDirs` (run after each file, see temp-cleanup.ts) removes them. */
const made = new Set<string>();

/**
 * A new temporary directory (`<prefix>XXXXXX` in the system temp dir), removed with everything in it when the
 * test file ends: state files, audit logs and kubeconfigs holding bearer tokens do not outlive the run.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
