import { readFileSync } from "node:fs";
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
 * One line per record: `[id, summary, keys]` (keys: the record's field names joined by commas), a tab (never raw
 * inside JSON), then the record's JSON. An archived record is an object whose summary fields are plain values and
 * whose other fields are accessors that parse the record and turn every field into a plain value: reading,
 * spreading, `structuredClone` and `JSON.stringify` see the whole record, and a draft copies it as any other.
 */
export const ARCHIVE_SUFFIX = ".archive";

/** The collections with an archive, which of their records go there and the fields start-up reads. */
const ARCHIVED: Partial<Record<Collection, { when: (record: StoredRecord) => boolean; summary: string[] }>> =
  {
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
    },
  };
export const FINISHED = new Set(["offline", "abandoned", "not-deployed"]);

/** Where an archived record's JSON is, until it is read. */
interface Unread {
  text: Buffer;
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
  /** Accessors for the fields not in the summary, built once per shape. */
  lazy: Map<string, PropertyDescriptorMap>;
}
const shapes = new Map<string, Shape>();
function shapeOf(keys: string): Shape {
  let shape = shapes.get(keys);
  if (!shape) {
    shape = { keys, names: keys === "" ? [] : keys.split(","), lazy: new Map() };
    shapes.set(keys, shape);
  }
  return shape;
}
const unread = new WeakMap<object, Unread>();

export function archivePath(dataDir: string, collection: Collection): string {
  return path.join(dataDir, STATE_DIR, `${collection}${ARCHIVE_SUFFIX}`);
}

/** Whether `record` goes to its collection's archive. */
export function archives(collection: Collection, record: StoredRecord): boolean {
  // Field names are joined by commas in the line's header: a record with a comma in one stays in the pack.
  return (
    (ARCHIVED[collection]?.when(record) ?? false) && !Object.keys(record).some((key) => key.includes(","))
  );
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
  let line = 0;
  for (let start = 0; start < text.length; line++) {
    const newline = text.indexOf(0x0a, start);
    const end = newline === -1 ? text.length : newline;
    const tab = text.indexOf(0x09, start);
    let header: [string, Record<string, unknown>, string] | undefined;
    try {
      if (tab === -1 || tab > end) throw new Error("no tab between the summary and the record");
      header = JSON.parse(text.toString("utf8", start, tab));
      if (!Array.isArray(header) || typeof header[0] !== "string" || typeof header[2] !== "string")
        throw new Error("not [id, summary, keys]");
    } catch (cause) {
      throw corrupt(file, line, cause);
    }
    const [id, summary, keys] = header;
    into[id] = unreadRecord(summary, { text, start: tab + 1, end, shape: shapeOf(keys), file, line });
    start = end + 1;
  }
}

/**
 * Writes the archive of `collection` from `records` (those `archives` picks), atomically; an unread record is
 * copied as it was read, after checking it parses (a corrupt line stops the write: the file stays as it is).
 */
export function writeArchive(dataDir: string, collection: Collection, records: [string, StoredRecord][]) {
  const lines: string[] = [];
  for (const [id, record] of records) {
    const where = unread.get(record);
    if (where) {
      const json = where.text.toString("utf8", where.start, where.end);
      try {
        JSON.parse(json);
      } catch (cause) {
        throw corrupt(where.file, where.line, cause);
      }
      lines.push(`${JSON.stringify([id, summaryOf(collection, record), where.shape.keys])}\t${json}`);
    } else {
      const keys = Object.keys(record).join(",");
      lines.push(`${JSON.stringify([id, summaryOf(collection, record), keys])}\t${JSON.stringify(record)}`);
    }
  }
  writeAtomic(archivePath(dataDir, collection), lines.join("\n"));
}

function summaryOf(collection: Collection, record: StoredRecord): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const key of ARCHIVED[collection]?.summary ?? [])
    if (Object.hasOwn(record, key)) summary[key] = record[key];
  return summary;
}

function unreadRecord(summary: Record<string, unknown>, where: Unread): StoredRecord {
  // The fields not in the summary become accessors in one call (shared per shape and summary), then the values.
  const present = Object.keys(summary).join(",");
  let lazy = where.shape.lazy.get(present);
  if (!lazy) {
    lazy = {};
    for (const key of where.shape.names) if (!Object.hasOwn(summary, key)) lazy[key] = accessor(key);
    where.shape.lazy.set(present, lazy);
  }
  const record = Object.create(Object.prototype, lazy) as StoredRecord;
  Object.assign(record, summary);
  unread.set(record, where);
  return record;
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
    full = JSON.parse(where.text.toString("utf8", where.start, where.end)) as StoredRecord;
  } catch (cause) {
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
