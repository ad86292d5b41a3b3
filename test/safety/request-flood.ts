import {
  FLOOD_KINDS,
  type FloodAnswer,
  type FloodKind,
  floodFromChild,
  peakRssMb,
  resetPeakRss,
  rssMb,
} from "../harness/slack/flood.ts";
import type { Replica } from "../replicas/replica-process.ts";

export interface FloodFigures {
  answers: FloodAnswer[];
  /** Ack times of the signed slash commands sent during the flood, in ms, and their statuses. */
  acks: { ms: number; status: number }[];
  /** Resident memory when the flood starts. */
  rssBeforeMb: number;
  /** The process's peak resident memory from the flood's start to its last answer. */
  peakRssMb: number;
  /** The peak from process start (start-up's module loading included), as VmHWM had it before the flood. */
  startPeakRssMb: number;
  seconds: number;
}

/**
 * `count` unsigned posts of `bytes` each, all at once against a running Graydesk process (the kinds in turn),
 * with `signed` real slash commands sent while they are in flight. Peak RSS is the process's own high-water mark
 * over the flood: it is started over when the flood starts (start-up's peak is reported apart).
 */
export async function floodGraydesk(
  target: Replica,
  {
    count,
    bytes,
    signed,
    kinds = FLOOD_KINDS,
  }: { count: number; bytes: number; signed: number; kinds?: readonly FloodKind[] },
): Promise<FloodFigures> {
  const pid = target.child.pid as number;
  const startPeakRssMb = peakRssMb(pid);
  resetPeakRss(pid);
  const rssBeforeMb = rssMb(pid);
  const started = performance.now();
  const flood = floodFromChild(target.slack.url, count, bytes, kinds);
  const acks: { ms: number; status: number }[] = [];
  const commands = Array.from({ length: signed }, async (_, i) => {
    await new Promise((r) => setTimeout(r, 300 + 50 * i));
    const reply = await target.slack.command("/release", "help");
    acks.push({ ms: Math.round(reply.ackMs), status: reply.status });
  });
  const [answers] = await Promise.all([flood, ...commands]);
  return {
    answers,
    acks,
    rssBeforeMb,
    peakRssMb: peakRssMb(pid),
    startPeakRssMb,
    seconds: Math.round(performance.now() - started) / 1000,
  };
}
