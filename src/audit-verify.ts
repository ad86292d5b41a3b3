import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { createKubeConfig } from "./cluster/kubeconfig.ts";
import { AUDIT_FILE, describeBreak, firstBreak, readKubeAuditLines, stateNamespace } from "./store/index.ts";

/**
 * `npm run audit:verify [-- DATA_DIR or file]`: walks the whole audit chain and names the first record that was
 * changed, removed or cut short; exit 0 when every link holds, 1 when one does not, 2 when there is no log.
 * `npm run audit:verify -- --kubernetes [--kubeconfig FILE] [--context NAME] [--namespace NS]`: the same for the
 * trail of STORE=kubernetes, in the cluster (in a pod, its own namespace).
 */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kubernetes: { type: "boolean" },
      kubeconfig: { type: "string" },
      context: { type: "string" },
      namespace: { type: "string" },
      name: { type: "string" },
    },
  });
  if (values.kubernetes) {
    const kc = createKubeConfig({
      ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
      ...(values.context ? { context: values.context } : {}),
    });
    const namespace = values.namespace ?? stateNamespace(kc);
    return report(
      `the audit trail in namespace ${namespace}`,
      await readKubeAuditLines(kc, namespace, values.name),
    );
  }
  return verifyFile(positionals[0] ?? "./data");
}

function report(what: string, lines: string[]): number {
  const problem = firstBreak(lines);
  if (problem) {
    process.stdout.write(`BROKEN ${describeBreak(what, problem)}\n`);
    return 1;
  }
  process.stdout.write(`OK ${what}: ${lines.length} records, every link of the chain holds\n`);
  return 0;
}

async function verifyFile(target: string): Promise<number> {
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
  return report(file, lines);
}

process.exitCode = await main(process.argv.slice(2));
