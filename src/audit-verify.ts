import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { AUDIT_FILE, describeBreak, firstBreak } from "./store/index.ts";

/**
 * `npm run audit:verify [-- DATA_DIR or file]`: walks the whole audit chain and names the first record that was
 * changed, removed or cut short; exit 0 when every link holds, 1 when one does not, 2 when there is no log.
 */
async function main(target = "./data"): Promise<number> {
  const file = (await stat(target).catch(() => undefined))?.isDirectory()
    ? path.join(target, AUDIT_FILE)
    : target;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    process.stderr.write(`cannot read the audit log ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  const lines = text.split("\n");
  // A file ends with a newline; a last piece without one is a torn line, which verify reports like any other.
  if (lines.at(-1) === "") lines.pop();
  const problem = firstBreak(lines);
  if (problem) {
    process.stdout.write(`BROKEN ${describeBreak(file, problem)}\n`);
    return 1;
  }
  process.stdout.write(`OK ${file}: ${lines.length} records, every link of the chain holds\n`);
  return 0;
}

process.exitCode = await main(process.argv[2]);
