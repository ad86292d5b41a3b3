import type { KnownBlock } from "@slack/types";

/** What Graydesk posts: fallback text (notifications, screen readers) and Block Kit blocks. */
export interface Reply {
  text: string;
  blocks?: KnownBlock[];
}
