import { type ChildProcess, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import path from "node:path";
import { compileCache, PROCESS_START_MS } from "../harness/entry-point.ts";
import { SIGNING_SECRET } from "../harness/graydesk.ts";
import { createSlackClient, freePort, type SlackApiServer } from "../harness/slack/index.ts";
import { tempDir } from "../harness/temp-dir.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface ReplicaOptions {
  api: SlackApiServer;
  /** Each replica posts with its own bot token, so the Slack test server tells who posted what. */
  botToken: string;
  kubeconfig: string;
  policyFile: string;
  leaseDurationSeconds: number;
  /** Reuse a DATA_DIR (a restart after a crash); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Defaults to the shared Kubernetes store; "lowdb" keeps state in DATA_DIR/state. */
  store?: "kubernetes" | "lowdb";
  /**
   * Runs the process with a clock the test moves (test/replicas/replica-main.ts, started this far ahead of the
   * system's time; see Replica.setClockOffset) instead of `src/main.ts` with the system's clock.
   */
  clockOffsetMs?: number;
}

/** One Graydesk process (`src/main.ts`, as `npm start` runs it) with STORE=kubernetes, in HTTP mode. */
export interface Replica {
  name: string;
  botToken: string;
  /** The leader-election identity it logged at start-up. */
  identity: string;
  dataDir: string;
  slack: ReturnType<typeof createSlackClient>;
  logs: Record<string, unknown>[];
  child: ChildProcess;
  logged(message: string): Record<string, unknown> | undefined;
  /** Moves a replica started with `clockOffsetMs` to read the system's time plus this offset; resolves once it does. */
  setClockOffset(offsetMs: number): Promise<void>;
  /** SIGKILL, as a crashed node or an OOM kill would: nothing is released or flushed. */
  kill(): Promise<void>;
}

export async function startReplica(
  name: string,
  options: ReplicaOptions,
  timeoutMs = PROCESS_START_MS,
): Promise<Replica> {
  const port = await freePort();
  const dataDir = options.dataDir ?? tempDir(`graydesk-replica-${name}-`);
  const movable = options.clockOffsetMs !== undefined;
  const entry = movable ? ["test/replicas/replica-main.ts", String(options.clockOffsetMs)] : ["src/main.ts"];
  const child = spawn(process.execPath, entry, {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      TMPDIR: tmpdir(),
      // Restarts (a SIGKILL soak starts the entry point dozens of times) reuse the compiled modules.
      NODE_COMPILE_CACHE: compileCache(),
      SLACK_BOT_TOKEN: options.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_MODE: "http",
      PORT: String(port),
      SLACK_API_URL: options.api.url,
      KUBECONFIG: options.kubeconfig,
      DATA_DIR: dataDir,
      STORE: options.store ?? "kubernetes",
      LEASE_DURATION_SECONDS: String(options.leaseDurationSeconds),
      POLICY_FILE: options.policyFile,
      LOG_LEVEL: "info",
    },
    stdio: movable ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  let pending = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines.filter(Boolean)) logs.push(JSON.parse(line));
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const logged = (message: string) => logs.find((l) => l.msg === message);

  const deadline = Date.now() + timeoutMs;
  while (!logged("Graydesk is running")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      const last = logs.slice(-5).map((l) => l.msg);
      throw new Error(
        `replica ${name} did not start (exit ${child.exitCode}): ${stderr} last logs: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    name,
    botToken: options.botToken,
    identity: String(logged("Graydesk is running")?.identity),
    dataDir,
    slack: createSlackClient({
      baseUrl: `http://127.0.0.1:${port}`,
      signingSecret: SIGNING_SECRET,
      api: options.api,
    }),
    logs,
    child,
    logged,
    setClockOffset(offsetMs) {
      if (!movable)
        throw new Error(`replica ${name} runs on the system's clock (start it with clockOffsetMs)`);
      return new Promise((resolve, reject) => {
        const answered = (message: { clockOffsetMs?: number }) => {
          if (message.clockOffsetMs !== offsetMs) return;
          child.off("message", answered);
          resolve();
        };
        child.on("message", answered);
        child.send({ clockOffsetMs: offsetMs }, (error) => {
          if (error) {
            child.off("message", answered);
            reject(error);
          }
        });
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
