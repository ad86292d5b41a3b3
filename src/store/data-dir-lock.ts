import { readFileSync } from "node:fs";
import { open, readFile, rename, stat, unlink, utimes } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { StoreError } from "./store.ts";

export const LOCK_FILE = "graydesk.lock";

/** Who holds DATA_DIR: enough to tell a live holder from one that died without removing its lock. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The process's start time as the kernel counts it (/proc/PID/stat), so a reused pid is not mistaken for it. */
  started: string;
  at: string;
}

export interface DataDirLock {
  release(): Promise<void>;
}

/** A holder on another host (another pod on the node) proves it is alive by touching the lock this often. */
const HEARTBEAT_MS = 10_000;
/** Three missed heartbeats: the other host's holder is gone. */
const STALE_MS = 3 * HEARTBEAT_MS;

/**
 * One writer per state file. Two processes on one DATA_DIR (two pods sharing a volume, or a second `npm start`)
 * would each rewrite the whole state file from their own memory and silently undo the other's changes, so the
 * second one refuses to start. A lock whose holder is gone (killed, its pod deleted) is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = path.join(dataDir, LOCK_FILE);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started: processStart(process.pid) ?? "",
    at: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await create(file, me)) return held(file, me);
    const holder = await readHolder(file);
    if (holder === "gone") continue;
    if (holder !== "unreadable" && (await isAlive(holder, file)))
      throw new DataDirInUseError(dataDir, holder);
    // Set the dead holder's lock aside (not deleted: it is evidence); only one contender's rename succeeds.
    await rename(file, `${file}.stale-${Date.now()}-${process.pid}`).catch(() => undefined);
  }
  throw new StoreError(`cannot take the lock ${file}: it keeps changing; is another Graydesk starting?`);
}

export class DataDirInUseError extends StoreError {
  constructor(dataDir: string, holder: LockHolder) {
    super(
      `DATA_DIR ${dataDir} is in use by another Graydesk (pid ${holder.pid} on ${holder.host}, since ${holder.at}). ` +
        "Only one process may write its state file: stop the other one, give this one its own DATA_DIR, or use " +
        `STORE=kubernetes for several replicas. If no other Graydesk is running, remove ${path.join(dataDir, LOCK_FILE)}.`,
    );
  }
}

async function create(file: string, me: LockHolder): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, "wx");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new StoreError(`cannot create the lock ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    await handle.writeFile(`${JSON.stringify(me)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function readHolder(file: string): Promise<LockHolder | "gone" | "unreadable"> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw new StoreError(`cannot read the lock ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder.pid === "number" && typeof holder.host === "string" ? holder : "unreadable";
  } catch {
    // A lock written halfway (the holder died between create and write) holds nothing.
    return "unreadable";
  }
}

async function isAlive(holder: LockHolder, file: string): Promise<boolean> {
  if (holder.host !== hostname()) {
    const touched = await stat(file).then(
      (s) => s.mtimeMs,
      () => 0,
    );
    return Date.now() - touched < STALE_MS;
  }
  // A store this very process opened and abandoned (a simulated crash) leaves nobody else writing.
  if (holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const started = processStart(holder.pid);
  return started === undefined || holder.started === "" || started === holder.started;
}

function held(file: string, me: LockHolder): DataDirLock {
  const heartbeat = setInterval(() => {
    const now = new Date();
    void utimes(file, now, now).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    async release() {
      clearInterval(heartbeat);
      const holder = await readHolder(file).catch(() => "unreadable" as const);
      if (typeof holder === "object" && holder.pid === me.pid && holder.started === me.started)
        await unlink(file).catch(() => undefined);
    },
  };
}

/** Field 22 of /proc/PID/stat (start time in clock ticks after boot); undefined where there is no /proc. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}
