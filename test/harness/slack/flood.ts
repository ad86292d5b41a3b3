import { fork } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";

/** How an unsigned flood post presents itself; each costs the receiver differently. */
export type FloodKind =
  /** No signature headers at all, body length declared. */
  | "no-signature"
  /** A well-formed but forged signature with a fresh timestamp, body length declared. */
  | "forged-declared"
  /** A forged signature with a fresh timestamp, chunked: the receiver learns the size only by reading. */
  | "forged-chunked";

export const FLOOD_KINDS: readonly FloodKind[] = ["no-signature", "forged-declared", "forged-chunked"];

/** What one flood post got: the status, or `error` when the connection ended before any answer. */
export type FloodAnswer = { kind: FloodKind; status: number } | { kind: FloodKind; error: string };

const CHUNK = Buffer.alloc(64 * 1024, "a");

/**
 * Posts `bytes` of form body to `url`, one fresh connection each, streaming a shared 64 KiB chunk (so the sender
 * holds no 10 MB buffers), and stops sending as soon as the receiver answers or closes.
 */
export function floodPost(url: string, kind: FloodKind, bytes: number): Promise<FloodAnswer> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (kind !== "forged-chunked") headers["content-length"] = String(bytes);
  if (kind !== "no-signature") {
    headers["x-slack-request-timestamp"] = String(Math.floor(Date.now() / 1000));
    headers["x-slack-signature"] = `v0=${"0".repeat(64)}`;
  }
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: FloodAnswer) => {
      if (settled) return;
      settled = true;
      resolve(answer);
    };
    // Its own keep-alive connection: `Connection: close` would have the receiver close right after answering,
    // and a write still under way would then meet a reset before the answer is read.
    const agent = new Agent({ keepAlive: true });
    const req = request(url, { method: "POST", headers, agent }, (res) => {
      settle({ kind, status: res.statusCode ?? 0 });
      res.resume();
      req.destroy();
      agent.destroy();
    });
    req.on("error", (error) =>
      settle({ kind, error: (error as NodeJS.ErrnoException).code ?? error.message }),
    );
    let sent = 0;
    // One chunk in flight at a time, as a sender that reads its answer would: it stops once answered.
    const pump = () => {
      if (settled) return;
      if (sent >= bytes) return void req.end();
      const piece = CHUNK.subarray(0, Math.min(CHUNK.length, bytes - sent));
      sent += piece.length;
      req.write(piece, () => setImmediate(pump));
    };
    pump();
  });
}

/** A process's peak resident memory so far (VmHWM), in MB; Linux only. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

/**
 * Starts a process's peak resident memory (VmHWM) over from what it holds now (Linux: `5` to clear_refs), so a
 * later peakRssMb measures what happened since, not start-up's module loading.
 */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

/** A process's resident memory now (VmRSS), in MB; Linux only. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

/** `count` flood posts from a child process (the kinds in turn); resolves with every answer once all are in. */
export function floodFromChild(
  url: string,
  count: number,
  bytes: number,
  kinds: readonly FloodKind[] = FLOOD_KINDS,
): Promise<FloodAnswer[]> {
  const args = [url, String(count), String(bytes), kinds.join(",")];
  const child = fork(new URL("./flood-child.ts", import.meta.url), args, {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve((m as { answers: FloodAnswer[] }).answers));
    child.once("exit", (code) => reject(new Error(`the flood process exited (${code}) before answering`)));
  });
}
