import type { Logger } from "../../log.ts";
import type { GateDesk } from "../gate-desk.ts";
import { latestFor, passed } from "../gate-requests.ts";
import { sameToken } from "../tokens.ts";
import { type Fact, type GatedRelease, releaseId } from "../types.ts";
import { type FlaggerHook, type FlaggerPayload, isFlaggerHook, parseFlaggerPayload } from "./payload.ts";

/** What Graydesk answers Flagger: 200 lets it go on (or, for `rollback`, roll back); anything above 202 holds it. */
export interface FlaggerAnswer {
  status: number;
  message: string;
}

export interface FlaggerGatesOptions {
  desk: GateDesk;
  /** Shared token per namespace (GATE_TOKENS): Flagger sends it in the webhook's metadata or the URL. */
  tokens: Record<string, string>;
  logger: Logger;
  clock: () => Date;
}

/** Metadata keys Graydesk reads itself; the rest are shown on the card as the figures Flagger reports. */
const OWN_KEYS = new Set(["token", "channel"]);

/**
 * Flagger's manual gates. Flagger calls a gate every analysis interval until it answers 2xx; the first call for a
 * (canary, gate, checksum) opens one approval request, later ones are answered from it. A call that fails the
 * token check is refused before anything is read or written.
 */
export class FlaggerGates {
  readonly #o: FlaggerGatesOptions;
  readonly #lanes = new Map<string, Promise<unknown>>();

  constructor(options: FlaggerGatesOptions) {
    this.#o = options;
  }

  async call(hook: string, raw: string, urlToken: string | undefined): Promise<FlaggerAnswer> {
    if (!isFlaggerHook(hook))
      return {
        status: 404,
        message: `no Flagger gate ${hook.slice(0, 40)}: use confirm-rollout, confirm-traffic-increase, confirm-promotion or rollback`,
      };
    const parsed = parseFlaggerPayload(raw);
    if (!parsed.ok) return { status: 400, message: parsed.problem };
    const { payload } = parsed;
    const expected = this.#o.tokens[payload.namespace];
    if (expected === undefined)
      return {
        status: 403,
        message: `namespace ${payload.namespace} has no gate token in Graydesk (GATE_TOKENS)`,
      };
    if (!sameToken(payload.metadata.token ?? urlToken, expected))
      return { status: 401, message: `token: does not match namespace ${payload.namespace}'s gate token` };
    // Calls for one canary are answered one at a time, so retries arriving together open one request.
    const id = releaseId("flagger", payload.namespace, payload.name);
    return this.#inLane(id, () => this.#answer(hook, payload, id));
  }

  async #answer(hook: FlaggerHook, payload: FlaggerPayload, id: string): Promise<FlaggerAnswer> {
    const { desk } = this.#o;
    const known = desk.releases.get(id);
    const channel = known?.channel ?? desk.channelFor(payload.namespace, payload.metadata.channel);
    if (!channel)
      return {
        status: 503,
        message: `no Slack channel for namespace ${payload.namespace}: set metadata.channel, approversChannel in the policy, or /release config namespace`,
      };
    const release = await this.#track(known, payload, id, channel);
    const latest = latestFor(desk.store, id, hook, payload.checksum);
    const canary = `${payload.namespace}/${payload.name}`;
    if (hook === "rollback") {
      if (!passed(latest)) return { status: 403, message: `no approved rollback for ${canary}` };
      if (!release.done) await desk.releases.save({ ...release, done: "rolled back" });
      await desk.cards.redraw(id);
      return { status: 200, message: `rollback of ${canary} approved by ${latest?.decidedBy}` };
    }
    if (latest && passed(latest))
      return { status: 200, message: `${hook} of ${canary} approved by ${latest.decidedBy}` };
    // A request nobody decided in time is asked again at the next call (the new one supersedes it).
    const lapsed = latest?.state === "pending" && Date.parse(latest.expiresAt) <= this.#o.clock().getTime();
    if (latest?.state === "pending" && !lapsed)
      return { status: 403, message: `${hook} of ${canary} is waiting for approval` };
    if (latest?.state === "rejected")
      return { status: 403, message: `${hook} of ${canary} was rejected by ${latest.decidedBy}` };
    await desk.open({
      release,
      gate: hook,
      requestedBy: "flagger",
      summary: `Flagger asks to ${hook} canary ${canary} (phase ${payload.phase}, checksum ${payload.checksum.slice(0, 12)})`,
    });
    return { status: 403, message: `${hook} of ${canary}: approval requested in Slack` };
  }

  /** Records what Flagger reports now; redraws the card when that changed. */
  async #track(
    known: GatedRelease | undefined,
    payload: FlaggerPayload,
    id: string,
    channel: string,
  ): Promise<GatedRelease> {
    const facts: Fact[] = [
      { label: "Checksum", value: payload.checksum.slice(0, 16) },
      ...Object.entries(payload.metadata)
        .filter(([key]) => !OWN_KEYS.has(key))
        .map(([label, value]) => ({ label, value })),
    ];
    const sameRevision = known?.revision === payload.checksum;
    const next: GatedRelease = {
      id,
      controller: "flagger",
      namespace: payload.namespace,
      name: payload.name,
      channel,
      phase: payload.phase,
      revision: payload.checksum,
      facts,
      ...(sameRevision && known?.done ? { done: known.done } : {}),
      ...(known?.card ? { card: known.card } : {}),
      updatedAt: this.#o.clock().toISOString(),
    };
    if (
      known &&
      sameRevision &&
      known.phase === next.phase &&
      JSON.stringify(known.facts) === JSON.stringify(facts)
    )
      return known;
    const saved = await this.#o.desk.releases.save(next);
    await this.#o.desk.cards.redraw(id);
    return saved;
  }

  #inLane<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#lanes.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    this.#lanes.set(key, settled);
    void settled.then(() => {
      if (this.#lanes.get(key) === settled) this.#lanes.delete(key);
    });
    return run;
  }
}
