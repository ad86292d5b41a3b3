// Starts the control plane's binaries as child processes, each logging to a file in the run's folder,
// and waits until each answers its health check.

import { type ChildProcess, spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { Agent, request } from "node:https";
import { join } from "node:path";

export interface Running {
  name: string;
  child: ChildProcess;
  log: string;
  stop(): Promise<void>;
}

// A test process that ends without close() (a crash, a timeout) must not leave control planes running.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function run(name: string, binary: string, args: string[], dir: string): Running {
  const log = join(dir, `${name}.log`);
  const out = openSync(log, "a");
  const child = spawn(binary, args, { cwd: dir, stdio: ["ignore", out, out] });
  let exited = false;
  running.add(child);
  const gone = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      running.delete(child);
      resolve();
    });
  });
  return {
    name,
    child,
    log,
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** The tail of a process's log, to explain why it did not come up. */
export function tail(p: Running, lines = 20): string {
  try {
    return readFileSync(p.log, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

function get(url: string, ca?: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    const done = (res: import("node:http").IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    };
    const req = url.startsWith("https:")
      ? request(url, { headers, agent: new Agent({ ca, keepAlive: false }) }, done)
      : httpRequest(url, { headers }, done);
    req.setTimeout(5_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** Polls `url` until it answers 200 `ok`; fails early when the process exits. */
export async function waitHealthy(
  p: Running,
  url: string,
  opts: { ca?: string; token?: string; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let last = "";
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited ${p.child.exitCode}:\n${tail(p)}`);
    try {
      const res = await get(url, opts.ca, opts.token);
      if (res.status === 200 && res.body.trim() === "ok") return;
      last = `${res.status} ${res.body.slice(0, 300)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${p.name} not healthy at ${url}: ${last}\n${tail(p)}`);
}
