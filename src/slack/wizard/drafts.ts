import { randomUUID } from "node:crypto";

/** Slack refuses private_metadata over 3000 characters. */
export const METADATA_LIMIT = 3000;
const PREFIX = "draft:";

/**
 * Keeps wizard state that outgrew private_metadata (many containers with all their settings). The modal then
 * carries only the draft's key. Drafts live as long as a modal can stay open; closing the wizard drops them.
 * They are kept in memory: a restart while such a wizard is open asks the user to start again.
 */
export class WizardDrafts {
  readonly #drafts = new Map<string, { metadata: string; at: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** The metadata to put on a view: itself when it fits, else a draft key. */
  fit(metadata: string): string {
    if (metadata.length <= METADATA_LIMIT) return metadata;
    this.#sweep();
    const key = `${PREFIX}${randomUUID()}`;
    this.#drafts.set(key, { metadata, at: this.#now() });
    return key;
  }

  /** The metadata a view carried, reading its draft when it has one (undefined when the draft is gone). */
  resolve(metadata: string | undefined): string | undefined {
    if (!metadata?.startsWith(PREFIX)) return metadata;
    return this.#drafts.get(metadata)?.metadata;
  }

  drop(metadata: string | undefined): void {
    if (metadata?.startsWith(PREFIX)) this.#drafts.delete(metadata);
  }

  get size(): number {
    return this.#drafts.size;
  }

  #sweep(): void {
    const oldest = this.#now() - this.#ttlMs;
    for (const [key, draft] of this.#drafts) if (draft.at < oldest) this.#drafts.delete(key);
  }
}
