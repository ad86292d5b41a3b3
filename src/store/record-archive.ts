import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import path from "node:path";
import { STATE_DIR, writeAtomic } from "./record-files.ts";
import type { Collection, StoredRecord } from "./schema.ts";
import { StoreError } from "./store.ts";

/**
 * The archive: records that no longer change (finished jobs) kept apart from the collection's pack, in
 * `state/<collection>.archive`, and read lazily. Start-up parses only each record's summary (the fields that
 * lists, look-ups and recovery filter on); the rest of the record is parsed the first time anything else of it is
 * read. So 50,000 finished jobs cost start-up their summaries, not 80 MB of JSON and the heap it becomes.
 *
 * One line per record, its parts split by tabs (never raw inside JSON): its field names joined by commas, its
 * summary (a JSON object holding its id), the time it last changed (ISO, or empty), then the record's JSON. The summary object becomes the record: its other fields
 * are accessors that parse the record and turn every field into a plain value, so reading, spreading,
 * `structuredClone` and `JSON.stringify` see the whole record, and a draft copies it as any other.
 */
export const ARCHIVE_SUFFIX = ".archive";

/** The collections with an archive, which of their records go there and the fields start-up reads. */
const ARCHIVED: Partial<
  Record<
    Collection,
    {
      when: (record: StoredRecord) => boolean;
      summary: string[];
      changedAt: (record: StoredRecord) => string;
    }
  >
> = {
  // A job in a terminal state (TERMINAL_STATES, src/release/states.ts) is never changed again by the desk.
  jobs: {
    when: (record) => FINISHED.has(record.state as string),
    summary: [
      "id",
      "name",
      "namespace",
      "cluster",
      "state",
      "createdAt",
      "createdBy",
      "promised",
      "proposal",
    ],
    // Its latest history event, or its creation: what digests ask of finished jobs ("finished since").
    changedAt: (record) =>
      ((record.history as { at?: unknown }[] | undefined) ?? []).reduce<string>(
        (latest, event) => (typeof event.at === "string" && event.at > latest ? event.at : latest),
        String(record.createdAt ?? ""),
      ),
  },
};
export const FINISHED = new Set(["offline", "abandoned", "not-deployed"]);

/** Where an archived record's JSON is in its file, until it is read (the file is not kept in memory). */
interface Unread {
  /** When the record last changed (ARCHIVED's changedAt), "" when unknown. */
  changedAt: string;
  start: number;
  end: number;
  shape: Shape;
  file: string;
  line: number;
}

/** The field names records share (most archived records have the same), with their accessors. */
interface Shape {
  keys: string;
  names: string[];
  /** Accessors for the fields not in the collection's summary, built once per shape. */
  lazy?: PropertyDescriptorMap;
}
const shapes = new Map<string, Shape>();
function shapeOf(keys: string): Shape {
  let shape = shapes.get(keys);
  if (!shape) {
    shape = { keys, names: keys === "" ? [] : keys.split(",") };
    shapes.set(keys, shape);
  }
  return shape;
}
const unread = new WeakMap<object, Unread>();
/** How many records each archive file held when read or written. */
const linesIn = new Map<string, number>();

export function archivePath(dataDir: string, collection: Collection): string {
  return path.join(dataDir, STATE_DIR, `${collection}${ARCHIVE_SUFFIX}`);
}

/** Whether record `id` goes to its collection's archive. */
export function archives(collection: Collection, id: string, record: StoredRecord): boolean {
  // The summary carries the id; field names are joined by commas before a tab in the line.
  return (
    (ARCHIVED[collection]?.when(record) ?? false) &&
    record.id === id &&
    !Object.keys(record).some((key) => /[,\t\n]/.test(key))
  );
}

/**
 * When an archived record still unread last changed (for a finished job, its latest history event), without
 * reading it; undefined for any other record (read it).
 */
export function unreadChangedAt(record: unknown): string | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  return unread.get(record)?.changedAt || undefined;
}

/** Whether `record` is archived and still unread (only its summary fields parsed). */
export function isUnread(record: unknown): boolean {
  return typeof record === "object" && record !== null && unread.has(record);
}

/** Reads a collection's archive into `into`: summaries now, each record's other fields when first read. */
export function readArchive(dataDir: string, collection: Collection, into: Record<string, StoredRecord>) {
  const file = archivePath(dataDir, collection);
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new StoreError(`cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  const summarised = ARCHIVED[collection]?.summary ?? [];
  let shape: Shape | undefined;
  let shapeBytes: Buffer | undefined;
  let line = 0;
  for (let start = 0; start < text.length; line++) {
    const newline = text.indexOf(0x0a, start);
    const end = newline === -1 ? text.length : newline;
    const keysEnd = text.indexOf(0x09, start);
    const summaryEnd = keysEnd === -1 ? -1 : text.indexOf(0x09, keysEnd + 1);
    const changedEnd = summaryEnd === -1 ? -1 : text.indexOf(0x09, summaryEnd + 1);
    let record: StoredRecord;
    try {
      if (keysEnd === -1 || summaryEnd === -1 || changedEnd === -1 || changedEnd > end)
        throw new Error("not field names, summary, time and record, split by tabs");
      // Consecutive records mostly share their field names: compared as bytes, decoded only when they differ.
      if (!shape || !shapeBytes || text.compare(shapeBytes, 0, shapeBytes.length, start, keysEnd) !== 0) {
        shape = shapeOf(text.toString("utf8", start, keysEnd));
        shapeBytes = text.subarray(start, keysEnd);
      }
      record = JSON.parse(text.toString("utf8", keysEnd + 1, summaryEnd));
      if (typeof record !== "object" || record === null || typeof record.id !== "string")
        throw new Error("the summary is not an object with the record's id");
    } catch (cause) {
      throw corrupt(file, line, cause);
    }
    shape.lazy ??= lazyFields(shape, summarised);
    Object.defineProperties(record, shape.lazy);
    const changedAt = text.toString("latin1", summaryEnd + 1, changedEnd);
    unread.set(record, { changedAt, start: changedEnd + 1, end, shape, file, line });
    into[record.id] = record;
    start = end + 1;
  }
  linesIn.set(file, line);
}

/** Accessors for the fields of `shape` a summary does not hold. */
function lazyFields(shape: Shape, summarised: string[]): PropertyDescriptorMap {
  const lazy: PropertyDescriptorMap = {};
  for (const key of shape.names) if (!summarised.includes(key)) lazy[key] = accessor(key);
  return lazy;
}

/**
 * Writes the archive of `collection` from `records` (those `archives` picks), atomically; an unread record is
 * copied as it was read, after checking it parses (a corrupt line stops the write: the file stays as it is).
 */
export function writeArchive(dataDir: string, collection: Collection, records: [string, StoredRecord][]) {
  const file = archivePath(dataDir, collection);
  // The same records, none read or changed since the file was read: it already says this (and it is large).
  if (
    records.length === linesIn.get(file) &&
    records.every(([, record]) => unread.get(record)?.file === file)
  )
    return;
  const lines: string[] = [];
  /** Unread records and where their JSON will be in the new file. */
  const moved: [Unread, number, number, number][] = [];
  const files = new Map<string, Buffer>();
  let offset = 0;
  for (const [, record] of records) {
    const where = unread.get(record);
    let head: string;
    let json: string;
    const summary = JSON.stringify(summaryOf(collection, record));
    if (where) {
      json = rawOf(where, files);
      try {
        JSON.parse(json);
      } catch (cause) {
        throw corrupt(where.file, where.line, cause);
      }
      head = `${where.shape.keys}\t${summary}\t${where.changedAt}\t`;
      const start = offset + Buffer.byteLength(head);
      moved.push([where, start, start + Buffer.byteLength(json), lines.length]);
    } else {
      head = `${Object.keys(record).join(",")}\t${summary}\t${changedAtOf(collection, record)}\t`;
      json = JSON.stringify(record);
    }
    lines.push(head + json);
    offset += Buffer.byteLength(head) + Buffer.byteLength(json) + 1;
  }
  writeAtomic(file, lines.join("\n"));
  linesIn.set(file, lines.length);
  // The file is replaced: unread records are read from their new places.
  for (const [where, start, end, line] of moved) Object.assign(where, { file, start, end, line });
}

/** An unread record's JSON, from its file (`files`: files already read whole, for a pass over many). */
function rawOf(where: Unread, files?: Map<string, Buffer>): string {
  const whole = files?.get(where.file);
  if (whole) return whole.toString("utf8", where.start, where.end);
  try {
    if (files) {
      const text = readFileSync(where.file);
      files.set(where.file, text);
      return text.toString("utf8", where.start, where.end);
    }
    const buffer = Buffer.alloc(where.end - where.start);
    const fd = openSync(where.file, "r");
    try {
      readSync(fd, buffer, 0, buffer.length, where.start);
    } finally {
      closeSync(fd);
    }
    return buffer.toString("utf8");
  } catch (cause) {
    throw new StoreError(`cannot read ${where.file}: ${(cause as Error).message}`, { cause });
  }
}

/** ISO times only: anything else (or a tab, which would split the line) is left out. */
function changedAtOf(collection: Collection, record: StoredRecord): string {
  const at = ARCHIVED[collection]?.changedAt(record) ?? "";
  return /^[0-9T:.Z+-]*$/.test(at) ? at : "";
}

function summaryOf(collection: Collection, record: StoredRecord): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const key of ARCHIVED[collection]?.summary ?? [])
    if (Object.hasOwn(record, key)) summary[key] = record[key];
  return summary;
}

/** One accessor per field name, shared by every archived record. */
const accessors = new Map<string, PropertyDescriptor>();
function accessor(key: string): PropertyDescriptor {
  let descriptor = accessors.get(key);
  if (!descriptor) {
    descriptor = {
      get(this: StoredRecord) {
        return readNow(this)[key];
      },
      set(this: StoredRecord, value: unknown) {
        readNow(this)[key] = value;
      },
      enumerable: true,
      configurable: true,
    };
    accessors.set(key, descriptor);
  }
  return descriptor;
}

/** Parses an unread record's JSON and makes every field a plain value. */
function readNow(record: StoredRecord): StoredRecord {
  const where = unread.get(record);
  if (!where) return record;
  let full: StoredRecord;
  try {
    full = JSON.parse(rawOf(where)) as StoredRecord;
    // Read where it was when the archive was read: a file rewritten since by another process would not match.
    if (full.id !== record.id) throw new Error("it no longer holds this record: the archive changed since");
  } catch (cause) {
    if (cause instanceof StoreError) throw cause;
    throw corrupt(where.file, where.line, cause);
  }
  unread.delete(record);
  for (const key of where.shape.names)
    Object.defineProperty(record, key, {
      value: full[key],
      writable: true,
      enumerable: true,
      configurable: true,
    });
  return record;
}

function corrupt(file: string, line: number, cause: unknown): StoreError {
  return new StoreError(
    `${file} line ${line + 1} is not valid (${(cause as Error).message}). Graydesk will not overwrite it: restore it from a backup or move it aside, then start again.`,
    { cause },
  );
}
