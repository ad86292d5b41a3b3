import { ApiException, CoreV1Api, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { byText } from "../release/index.ts";
import { describeBreak, firstBreak, GENESIS, recordHash } from "./audit-chain.ts";
import type { AuditLog, AuditRecord } from "./audit-log.ts";
import { TAIL_RECORDS } from "./audit-tail.ts";
import { StoreError } from "./store.ts";

export const AUDIT_LABEL = "graydesk.io/audit";
const RECORD_KEY = "record.json";

export interface KubeAuditOptions {
  namespace: string;
  /** Prefix of the records' ConfigMap names and the value of their label; default graydesk-audit. */
  name?: string;
  now?: () => Date;
  /** Each record as it is written, e.g. to stdout as a JSON line for log shipping. */
  mirror?: (record: AuditRecord) => void;
}

/**
 * The audit trail of replicas sharing state (STORE=kubernetes): in the cluster, not on a pod's disk, so it
 * survives pod deletion, and one chain for all replicas. Record N is the ConfigMap `<name>-<N>`; creating a
 * name is atomic, so two replicas appending at once cannot both take seq N: the loser reads record N, links
 * after it and tries N+1. Each record carries the previous one's hash, as in the file log.
 */
export async function openKubeAuditLog(kc: KubeConfig, options: KubeAuditOptions): Promise<AuditLog> {
  const { namespace, now = () => new Date(), mirror } = options;
  const prefix = options.name ?? "graydesk-audit";
  const api = kc.makeApiClient(CoreV1Api);
  const nameOf = (seq: number) => `${prefix}-${String(seq).padStart(10, "0")}`;

  const readAll = () => readKubeAudit(kc, namespace, prefix);

  // Start-up verifies the chain's latest links, as the file log does with its tail.
  const records = await readAll();
  const tail = records.slice(-200).map((r) => JSON.stringify(r));
  const problem = firstBreak(tail);
  if (problem)
    throw new StoreError(
      `the audit trail in namespace ${namespace} is not intact: ${describeBreak(`ConfigMaps ${prefix}-*`, problem)}`,
    );
  const last = records.at(-1);
  let seq = last?.seq ?? 0;
  let prev = last?.hash ?? GENESIS;
  let queue: Promise<unknown> = Promise.resolve();

  return {
    append(event) {
      const run = queue.then(async () => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const unsigned = { at: now().toISOString(), seq: seq + 1, ...event, prev };
          const record: AuditRecord = { ...unsigned, hash: recordHash(unsigned) };
          try {
            await api.createNamespacedConfigMap({
              namespace,
              body: {
                metadata: {
                  name: nameOf(record.seq),
                  labels: { "app.kubernetes.io/managed-by": "graydesk", [AUDIT_LABEL]: prefix },
                },
                data: { [RECORD_KEY]: JSON.stringify(record) },
              },
            });
          } catch (cause) {
            if (!(cause instanceof ApiException && cause.code === 409))
              throw new StoreError(
                `cannot append to the audit trail in namespace ${namespace}: ${reason(cause)}`,
                {
                  cause,
                },
              );
            // Another replica took this seq: link after its record and try the next.
            const theirs = parse(await api.readNamespacedConfigMap({ namespace, name: nameOf(seq + 1) }));
            if (!theirs?.hash)
              throw new StoreError(`audit record ${nameOf(seq + 1)} is not a chained record`);
            seq = theirs.seq;
            prev = theirs.hash;
            continue;
          }
          seq = record.seq;
          prev = record.hash as string;
          mirror?.(record);
          return record;
        }
        throw new StoreError("cannot append to the audit trail: other replicas kept taking the next record");
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async readAll() {
      await queue;
      return readAll();
    },
    async forJob(jobNamespace, job) {
      await queue;
      return (await readAll()).filter((r) => r.namespace === jobNamespace && r.job === job);
    },
    // Other replicas append too, so memory cannot hold the latest records: the trail is listed each time.
    async recent(limit = TAIL_RECORDS) {
      await queue;
      return (await readAll()).slice(-limit).reverse();
    },
    async close() {
      await queue;
    },
  };
}

/**
 * Every record of the trail, in order, each as the JSON text it was written as (what the chain's hashes cover);
 * a record whose text does not parse is kept as text, so verification names it.
 */
export async function readKubeAuditLines(
  kc: KubeConfig,
  namespace: string,
  prefix = "graydesk-audit",
): Promise<string[]> {
  let list: Awaited<ReturnType<CoreV1Api["listNamespacedConfigMap"]>>;
  try {
    list = await kc
      .makeApiClient(CoreV1Api)
      .listNamespacedConfigMap({ namespace, labelSelector: `${AUDIT_LABEL}=${prefix}` });
  } catch (cause) {
    throw new StoreError(`cannot list the audit trail in namespace ${namespace}: ${reason(cause)}`, {
      cause,
    });
  }
  return list.items
    .sort((a, b) => byText(String(a.metadata?.name), String(b.metadata?.name)))
    .map((cm) => cm.data?.[RECORD_KEY] ?? "");
}

async function readKubeAudit(kc: KubeConfig, namespace: string, prefix: string): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for (const text of await readKubeAuditLines(kc, namespace, prefix)) {
    try {
      records.push(JSON.parse(text) as AuditRecord);
    } catch {
      // Named by verify; the rest stay readable.
    }
  }
  return records;
}

function parse(cm: V1ConfigMap): AuditRecord | undefined {
  try {
    return JSON.parse(cm.data?.[RECORD_KEY] ?? "") as AuditRecord;
  } catch {
    return undefined;
  }
}

function reason(error: unknown): string {
  if (error instanceof ApiException) return `the API server answered ${error.code}`;
  return (error as Error)?.message ?? String(error);
}
