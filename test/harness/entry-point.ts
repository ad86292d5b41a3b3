import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * How long a Graydesk process may take to start, or to refuse to: Node strips the types of a few hundred modules
 * first, which on a loaded 2-core machine took more than 15 s. Only a hung process takes this long.
 */
export const PROCESS_START_MS = 120_000;

/**
 * Runs the real entry point, as `npm start` does, with exactly the given environment, until it exits (or is
 * killed after `timeoutMs`): for start-up refusals, which end on their own.
 */
export function runEntryPoint(
  env: Record<string, string>,
  timeoutMs = PROCESS_START_MS,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["src/main.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", TMPDIR: tmpdir(), NODE_COMPILE_CACHE: compileCache(), ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/**
 * Node's compile cache for the Graydesk processes tests start, in the run's temporary directory: the first start
 * compiles the modules, later starts reuse them (test/harness/temp-run.ts keeps it out of the leftover check).
 */
export const compileCache = () => path.join(tmpdir(), "node-compile-cache");
