import { buildGatedCard, type GatedCardView } from "../../views/controllers/gated-card.ts";
import type { Logger } from "../log.ts";
import type { SlackOutbox } from "../slack/outbox.ts";
import type { Store } from "../store/index.ts";
import { currentRequests } from "./gate-requests.ts";
import type { GatedReleases } from "./gated-releases.ts";
import type { GatedRelease } from "./types.ts";

/** The outbox handler that records where a card landed once a delayed post arrives. */
export const GATED_CARD_POSTED = "gated-card-posted";

export interface GateCardsOptions {
  store: Store;
  releases: GatedReleases;
  outbox: SlackOutbox;
  logger: Logger;
}

/**
 * One card per gated release in its channel, updated in place as the controller moves and requests are decided.
 * Slack trouble is logged, never thrown: what the controller is told does not wait on Slack.
 */
export class GateCards {
  readonly #o: GateCardsOptions;
  readonly #posting = new Map<string, Promise<void>>();

  constructor(options: GateCardsOptions) {
    this.#o = options;
    options.outbox.onPosted(GATED_CARD_POSTED, async ({ releaseId }, at) => {
      if (!releaseId) return;
      await this.#o.releases.setCard(releaseId, at);
      await this.redraw(releaseId);
    });
  }

  /** Posts the card the first time, updates it after. */
  redraw(releaseId: string): Promise<void> {
    // One post per release even when two redraws race (a webhook retry and a click).
    const previous = this.#posting.get(releaseId) ?? Promise.resolve();
    const next = previous
      .then(() => this.#draw(releaseId))
      .catch((error) => {
        this.#o.logger.warn({ err: error, release: releaseId }, "could not draw the gated release's card");
      });
    this.#posting.set(releaseId, next);
    return next;
  }

  async #draw(releaseId: string): Promise<void> {
    const release = this.#o.releases.get(releaseId);
    if (!release) return;
    const card = buildGatedCard(this.view(release));
    if (release.card) {
      await this.#o.outbox.send({
        kind: "update",
        channel: release.card.channel,
        ts: release.card.ts,
        ...card,
      });
      return;
    }
    const ts = await this.#o.outbox.send(
      { kind: "post", channel: release.channel, ...card },
      { handler: GATED_CARD_POSTED, data: { releaseId } },
    );
    if (ts) await this.#o.releases.setCard(releaseId, { channel: release.channel, ts });
  }

  view(release: GatedRelease): GatedCardView {
    const requests = currentRequests(this.#o.store, release.id, release.revision);
    const actions: GatedCardView["actions"] =
      release.controller === "flagger"
        ? requests.some((r) => r.gate === "rollback" && ["pending", "approved", "applied"].includes(r.state))
          ? []
          : ["request-rollback"]
        : [
            ...(requests.some((r) => r.gate === "promote-full" && r.state === "pending")
              ? []
              : (["promote-full"] as const)),
            "abort" as const,
          ];
    return { release, requests, actions };
  }
}
