// Split charts rendered outside Graydesk's process, in a child ("worker") that collects garbage every few
// renders and is replaced every few hundred. resvg frees its native memory only when V8 finalizes its
// wrappers, and V8 does not count that memory, so in-process RSS climbs by ~100-200 MB over 1,000 renders;
// the child's collections keep it level, ending it releases whatever it still held, and a resvg panic (which
// aborts the whole process it runs in) costs one chart, not the app.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { UserFacingError } from "../release/errors.ts";
import type { ChartInput } from "./chart.ts";
import { CHART_SIZE, type ChartSize } from "./chart-size.ts";

/** What the renderer sends its worker, and what comes back. */
export interface ChartJob {
  id: number;
  input: ChartInput;
  size: ChartSize;
}
export interface ChartWorkerData {
  collectEvery: number;
}
export type ChartReply = ({ id: number; png: Uint8Array } | { id: number; error: string }) & {
  /** The chart process's resident memory when it replied, so its memory can be watched from outside. */
  rssMb?: number;
};

export type ChartRenderErrorCode = "chart-busy" | "chart-timeout" | "chart-render-failed" | "chart-closed";

export class ChartRenderError extends UserFacingError {
  declare readonly code: ChartRenderErrorCode;
  constructor(code: ChartRenderErrorCode, message: string, cause?: unknown) {
    super(code, message, { retryable: code === "chart-busy" || code === "chart-timeout", cause });
    this.name = "ChartRenderError";
  }
}

export interface ChartRendererOptions {
  /** Renders a worker does before it is replaced, taking its native memory along; a start takes ~0.5-1 s. */
  recycleEvery?: number;
  /** The worker forces a garbage collection every this many renders (0: never), releasing resvg's memory. */
  collectEvery?: number;
  /** Renders allowed to wait behind the current one; more are refused with `chart-busy`. */
  maxQueued?: number;
  /** A render taking longer is abandoned (its worker is ended) with `chart-timeout`. */
  timeoutMs?: number;
}

export interface ChartRenderer {
  /** The PNG bytes of the chart, as `renderChartPng` draws them. */
  renderChartPngAsync(input: ChartInput, size?: ChartSize): Promise<Buffer>;
  /** Refuses what is queued, ends the worker. */
  close(): Promise<void>;
  /** For monitoring and tests. */
  stats(): { workersStarted: number; queued: number; workerRssMb: number };
}

// Measured over 1,000 renders (bench/chart-render.ts): collecting every 5 holds RSS near 260 MB where
// recycling alone sits near 380-420 MB; recycling every 200 bounds whatever the collections miss.
export const DEFAULT_CHART_RENDERER_OPTIONS = {
  recycleEvery: 200,
  collectEvery: 5,
  maxQueued: 20,
  timeoutMs: 15_000,
} as const;

interface Pending {
  job: ChartJob;
  resolve: (png: Buffer) => void;
  reject: (error: Error) => void;
}

export function createChartRenderer(options: ChartRendererOptions = {}): ChartRenderer {
  const { recycleEvery, collectEvery, maxQueued, timeoutMs } = {
    ...DEFAULT_CHART_RENDERER_OPTIONS,
    ...options,
  };
  const queue: Pending[] = [];
  let worker: ChildProcess | undefined;
  let rendersOnWorker = 0;
  let workersStarted = 0;
  let current: { pending: Pending; timer: NodeJS.Timeout } | undefined;
  let nextId = 1;
  let workerRssMb = 0;
  let closed = false;

  function retire(): void {
    const old = worker;
    worker = undefined;
    // Ending is asynchronous; nothing waits for it, the next worker starts at once.
    old?.removeAllListeners();
    old?.kill();
  }

  function settle(outcome: { png: Buffer } | { error: Error }): void {
    if (!current) return;
    clearTimeout(current.timer);
    const { pending } = current;
    current = undefined;
    if ("png" in outcome) pending.resolve(outcome.png);
    else pending.reject(outcome.error);
    pump();
  }

  function start(): ChildProcess {
    const settings: ChartWorkerData = { collectEvery };
    // A process, not a worker thread: resvg aborts its whole process on an internal panic (it has done so
    // on a line clipped entirely out of view), and Graydesk must outlive any chart.
    const started = fork(
      fileURLToPath(new URL("./chart-worker.ts", import.meta.url)),
      [JSON.stringify(settings)],
      {
        execArgv: ["--expose-gc"],
        serialization: "advanced",
        stdio: ["ignore", "ignore", "pipe", "ipc"],
      },
    );
    workersStarted++;
    rendersOnWorker = 0;
    // What the process says on stderr (a resvg panic says where) goes into the error's cause, not the console.
    let said = "";
    started.stderr?.on("data", (chunk: Buffer) => {
      said = `${said}${chunk.toString()}`.slice(-2_000);
    });
    started.on("message", (reply: ChartReply) => {
      if (reply.id !== current?.pending.job.id) return;
      rendersOnWorker++;
      if (reply.rssMb !== undefined) workerRssMb = reply.rssMb;
      if ("png" in reply)
        settle({ png: Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength) });
      else
        settle({
          error: new ChartRenderError("chart-render-failed", `The chart could not be drawn: ${reply.error}`),
        });
    });
    const fail = (cause: unknown) => {
      if (worker === started) retire();
      settle({
        error: new ChartRenderError("chart-render-failed", "The chart renderer stopped unexpectedly.", cause),
      });
    };
    started.on("error", fail);
    started.on("exit", (code, signal) =>
      fail(new Error(`chart process exited (${signal ?? code})${said ? `: ${said.trim()}` : ""}`)),
    );
    return started;
  }

  function pump(): void {
    if (current || closed) return;
    const pending = queue.shift();
    if (!pending) {
      // An idle chart process must not keep Graydesk (or a test run) alive.
      worker?.unref();
      worker?.channel?.unref();
      return;
    }
    if (worker && rendersOnWorker >= recycleEvery) retire();
    worker ??= start();
    worker.ref();
    worker.channel?.ref();
    const timer = setTimeout(() => {
      retire();
      settle({
        error: new ChartRenderError("chart-timeout", `The chart took longer than ${timeoutMs} ms to draw.`),
      });
    }, timeoutMs);
    current = { pending, timer };
    worker.send(pending.job);
  }

  return {
    renderChartPngAsync(input, size = CHART_SIZE) {
      if (closed)
        return Promise.reject(new ChartRenderError("chart-closed", "The chart renderer is shut down."));
      if (queue.length >= maxQueued) {
        return Promise.reject(
          new ChartRenderError("chart-busy", "Too many charts are being drawn right now; try again shortly."),
        );
      }
      return new Promise<Buffer>((resolve, reject) => {
        queue.push({
          job: { id: nextId++, input, size: { width: size.width, height: size.height } },
          resolve,
          reject,
        });
        pump();
      });
    },

    async close() {
      closed = true;
      const refused = new ChartRenderError("chart-closed", "The chart renderer is shut down.");
      for (const pending of queue.splice(0)) pending.reject(refused);
      const old = worker;
      worker = undefined;
      old?.removeAllListeners();
      if (current) {
        clearTimeout(current.timer);
        current.pending.reject(refused);
        current = undefined;
      }
      if (old && old.exitCode === null && old.signalCode === null) {
        const exited = new Promise((resolve) => old.once("exit", resolve));
        // An idle child is unref'd; waiting for its exit must keep the event loop alive.
        old.ref();
        old.kill();
        await exited;
      }
    },

    stats: () => ({ workersStarted, queued: queue.length, workerRssMb }),
  };
}
