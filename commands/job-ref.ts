import type { ReleaseDesk } from "../src/desk/types.ts";
import type { ReleaseJob } from "../src/release/index.ts";
import { jobScope, UserFacingError } from "../src/release/index.ts";
import type { Store } from "../src/store/index.ts";
import { escapeText } from "../views/escape.ts";
import { closest } from "./parse.ts";

/** The namespace `/release config namespace` set for a channel, if any. */
export function defaultNamespace(store: Store, channel: string): string | undefined {
  const namespace = store.data().channels[channel]?.namespace;
  return typeof namespace === "string" ? namespace : undefined;
}

/**
 * Finds a job named in a command: `namespace/job` (`cluster/namespace/job` in a desk for several clusters), or
 * `job` within the channel's default namespace (or any namespace when the channel has none and one has it). Within a namespace the live job wins, else the
 * newest (see findJob). Unknown names list the jobs there.
 */
export function resolveJob(desk: ReleaseDesk, store: Store, channel: string, ref: string): ReleaseJob {
  const slash = ref.lastIndexOf("/");
  const namespace = slash >= 0 ? ref.slice(0, slash) : defaultNamespace(store, channel);
  const name = slash >= 0 ? ref.slice(slash + 1) : ref;
  if (namespace !== undefined) {
    const job = desk.findJob({ namespace, name });
    if (job) return job;
    throw unknownJob(name, desk.jobs(namespace), `namespace ${escapeText(namespace)}`);
  }
  // A name may come back in one namespace (a new job after a finished one): count namespaces, not jobs.
  const namespaces = [
    ...new Set(
      desk
        .jobs()
        .filter((j) => j.name === name)
        .map((j) => jobScope(j)),
    ),
  ];
  const [only] = namespaces;
  if (namespaces.length === 1 && only !== undefined) {
    const job = desk.findJob({ namespace: only, name });
    if (job) return job;
  }
  if (namespaces.length > 1) {
    const refs = namespaces.map((ns) => `\`${ns}/${name}\``).join(", ");
    throw new UserFacingError(
      "ambiguous-job",
      `Several namespaces have a job named ${escapeText(name)}: say which with ${refs}, or set this channel's namespace with \`/release config namespace <namespace>\`.`,
    );
  }
  throw unknownJob(name, desk.jobs(), "any namespace");
}

function unknownJob(name: string, jobs: ReleaseJob[], where: string): UserFacingError {
  const names = jobs.map((j) => j.name);
  const guess = closest(name, names);
  let message = `There is no job ${escapeText(name)} in ${where}.`;
  if (guess) message += ` Did you mean \`${guess}\`?`;
  message +=
    names.length > 0
      ? ` Jobs there: ${names
          .slice(0, 20)
          .map((n) => `\`${n}\``)
          .join(", ")}${names.length > 20 ? ` and ${names.length - 20} more` : ""}.`
      : " It has no release jobs yet.";
  return new UserFacingError("unknown-job", message);
}
