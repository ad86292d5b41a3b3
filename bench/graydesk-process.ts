import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Config } from "../src/config.ts";
import type { RefreshSummary } from "../src/telemetry/index.ts";

export type Memory = { rss: number; heapUsed: number; external: number };

/** What the process reports about its own start (bench/graydesk-child.ts). */
export interface Started {
  /** From the process's start: modules loaded, then serving. */
  loadedMs: number;
  readyMs: number;
  /** User + system CPU until serving. */
  cpuMs: number;
  /** Graydesk's start-up steps (ms each). */
  phases: Record<string, number>;
  /** Memory once serving, nothing collected first (bytes). */
  memory: { rss: number; heapUsed: number };
}

/** Sends `message` (none when empty) and resolves with the first reply that carries `key`. */
export function ask<T>(child: ChildProcess, message: unknown, key: string, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.off("message", on).off("exit", exited);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the child process did not answer ${JSON.stringify(message) || key}`));
    }, timeoutMs);
    const on = (m: unknown) => {
      if (typeof m !== "object" || m === null || !(key in m)) return;
      done();
      resolve((m as Record<string, T>)[key] as T);
    };
    // A child that cannot start (a flag it refuses, a module that fails to load) says so at once.
    const exited = (code: number | null) => {
      done();
      reject(
        new Error(
          `the child process exited (code ${code}) before answering ${JSON.stringify(message) || key}`,
        ),
      );
    };
    child.on("message", on).once("exit", exited);
    if (message) child.send(message as string);
  });
}

/** Graydesk started in its own process (bench/graydesk-child.ts), driven over IPC. */
export interface GraydeskProcess {
  child: ChildProcess;
  /** Waits until Graydesk finished the work it started after its acks. */
  settle(): Promise<void>;
  /** How the process started. */
  started(): Promise<Started>;
  /** Memory after forced collections. */
  measure(): Promise<Memory>;
  /** Memory as it is, nothing collected first. */
  sample(): Promise<Memory>;
  heapSnapshot(file: string): Promise<string>;
  /** One round of the live-card refresher now: its summary and wall time. */
  refresh(): Promise<{ summary: RefreshSummary; ms: number }>;
  /** One raw merge patch from a client-node in Graydesk's process: the floor for a traffic change. */
  rawPatch(object: Record<string, unknown>, kubeconfig: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The V8 flags `npm start` gives Node (package.json's start script), so the benchmarks run Graydesk's process as
 * production does.
 */
export function startFlags(): string[] {
  return startWords().filter((word) => word.startsWith("--"));
}

/** The environment `npm start` sets for Node (its `NAME=value` words before `node`), as production has it. */
export function startEnv(): Record<string, string> {
  const words = startWords();
  const assignments = words.slice(0, words.indexOf("node")).filter((word) => /^[A-Z_][A-Z0-9_]*=/.test(word));
  return Object.fromEntries(
    assignments.map((word) => [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]),
  );
}

function startWords(): string[] {
  const scripts = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).scripts as {
    start: string;
  };
  return scripts.start.split(/\s+/);
}

export async function startGraydeskProcess(
  config: Config,
  logFile: string,
  /** Node's flags for Graydesk's process; those of `npm start` by default. */
  nodeFlags: string[] = startFlags(),
  /** Whether Node's compile cache is used, as src/main.ts uses it. */
  compileCache = true,
  /** The environment `npm start` adds; none for Node's defaults. */
  startEnvironment: Record<string, string> = startEnv(),
): Promise<GraydeskProcess> {
  const child = fork(new URL("./graydesk-child.ts", import.meta.url), [JSON.stringify(config), logFile], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
    execArgv: nodeFlags,
    env: {
      ...process.env,
      ...startEnvironment,
      ...(compileCache
        ? { NODE_COMPILE_CACHE: path.join(tmpdir(), "node-compile-cache") }
        : { NODE_DISABLE_COMPILE_CACHE: "1" }),
    },
  });
  await ask(child, "", "ready");
  return {
    child,
    async settle() {
      if (!(await ask<boolean>(child, "settle", "settled"))) throw new Error("work in flight after 30 s");
    },
    started: () => ask<Started>(child, "startup", "startup"),
    measure: () => ask<Memory>(child, "measure", "memory"),
    sample: () => ask<Memory>(child, "sample", "sample"),
    refresh: () => ask(child, "refresh", "refreshed", 600_000),
    heapSnapshot: (file) => ask<string>(child, { heapSnapshot: file }, "snapshot", 120_000),
    async rawPatch(object, kubeconfig) {
      await ask(child, { rawPatch: object, kubeconfig }, "patched");
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send("stop");
      await exited;
    },
  };
}
