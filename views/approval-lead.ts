import type { KnownBlock } from "@slack/types";
import { codeBlock, escapeText } from "./escape.ts";
import { ids } from "./ids.ts";

/** What the new version runs: its number and images (digests apart, when the image names one). */
export interface NewVersionFacts {
  version: string;
  images: string[];
  /** The stable version it is released against, for "same images as …". */
  stable?: string;
  /** Set while the new version itself is what is asked for (policy approveNewVersions): its replicas… */
  replicas?: number;
  /** …and its pod template against the stable version's, as a line diff. */
  podSpecDiff?: string;
}

/** Where the request of the approvers-channel copy lives, and whom it concerns. */
export interface CopyFacts {
  card?: { channel: string; ts: string };
  /** The request in the job's thread. */
  thread?: { channel: string; ts: string; threadTs: string };
  /** The namespace's approvers from the policy. */
  users: string[];
  groups: string[];
}

/** `image:tag`, then the digest on its own when the reference pins one. */
export function imageWords(image: string): string {
  const [name, digest] = image.split("@");
  return digest
    ? `\`${escapeText(name ?? "")}\` (digest \`${escapeText(digest)}\`)`
    : `\`${escapeText(image)}\``;
}

export function newVersionBlock(facts: NewVersionFacts | undefined): KnownBlock[] {
  if (!facts) return [];
  const images =
    facts.images.length > 0
      ? facts.images.map(imageWords).join(", ")
      : `the same images as ${escapeText(facts.stable ?? "the stable version")}`;
  const replicas =
    facts.replicas === undefined
      ? ""
      : ` with ${facts.replicas} ${facts.replicas === 1 ? "replica" : "replicas"}`;
  const blocks: KnownBlock[] = [
    {
      type: "section",
      block_id: ids.approval.newVersion,
      text: {
        type: "mrkdwn",
        text: `*New version* \`${escapeText(facts.version)}\` runs ${images}${replicas}`.slice(0, 3000),
      },
    },
  ];
  if (facts.podSpecDiff !== undefined) {
    const against = escapeText(facts.stable ?? "the stable version");
    blocks.push({
      type: "section",
      block_id: ids.approval.podSpecDiff,
      text: {
        type: "mrkdwn",
        text: `*Pod template against ${against}* (nothing is deployed before this is approved):\n${codeBlock(facts.podSpecDiff)}`.slice(
          0,
          3000,
        ),
      },
    });
  }
  return blocks;
}

/** A Slack link to a message (threaded replies carry their thread). */
export function messageLink(channel: string, ts: string, threadTs?: string): string {
  const base = `https://slack.com/archives/${channel}/p${ts.replace(".", "")}`;
  return threadTs ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}

/** The namespace's approvers as Slack mentions (users and user groups). */
export function mentions(copy: Pick<CopyFacts, "users" | "groups">): string {
  return [...copy.users.map((u) => `<@${u}>`), ...copy.groups.map((g) => `<!subteam^${g}>`)].join(" ");
}

/** The approvers-channel copy's line: links to the job card and the thread, and the approvers asked. */
export function copyBlock(copy: CopyFacts | undefined): KnownBlock[] {
  if (!copy) return [];
  const links = [
    copy.card ? `<${messageLink(copy.card.channel, copy.card.ts)}|job card>` : "",
    copy.thread
      ? `<${messageLink(copy.thread.channel, copy.thread.ts, copy.thread.threadTs)}|request in the job's thread>`
      : "",
  ].filter(Boolean);
  const asked = mentions(copy);
  const text = [
    asked ? `${asked}: your approval is asked.` : "",
    links.length ? `Open the ${links.join(" · ")}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
  if (!text) return [];
  return [
    {
      type: "context",
      block_id: ids.approval.links,
      elements: [{ type: "mrkdwn", text: text.slice(0, 3000) }],
    },
  ];
}
