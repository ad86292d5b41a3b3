import { buildApprovalRequest } from "../../../views/approval.ts";
import type { CopyFacts } from "../../../views/approval-lead.ts";
import { buildNote } from "../../../views/desk-message.ts";
import type { ApprovalGate } from "../../approvals/index.ts";
import type { JobChange, ReleaseDesk } from "../../desk/index.ts";
import type { Logger } from "../../log.ts";
import type { Store } from "../../store/index.ts";
import type { JobCards } from "../job-card.ts";
import type { SlackOutbox } from "../outbox.ts";
import type { RequestAnalysis } from "./analysis-gate.ts";
import { needsConfirm } from "./change-words.ts";
import { asksForNewVersion, copyChannels, newVersionFacts } from "./request-facts.ts";

export interface ApprovalMessagesOptions {
  desk: ReleaseDesk;
  gate: ApprovalGate;
  cards: JobCards;
  store: Store;
  outbox: SlackOutbox;
  logger: Logger;
  /** The versions' health for a request; absent when no metrics source is configured (the request says so). */
  evidence?: unknown;
}

/** The outbox handler that records where a request was posted once a delayed post arrives. */
export const APPROVAL_POSTED = "approval-posted";

/**
 * The Slack messages of approval requests: posting a request where it belongs, redrawing it as it is decided,
 * notes in the job's thread. Once a decision is stored, a failed message is logged, never thrown: the
 * decision stands whether or not Slack took the update. Everything goes through the outbox, so a busy or
 * down Slack delays the messages instead of losing them.
 */
export class ApprovalMessages {
  readonly #o: ApprovalMessagesOptions;

  constructor(options: ApprovalMessagesOptions) {
    this.#o = options;
    // A request posted late is recorded where it landed, then drawn as it stands by now.
    options.outbox.onPosted(APPROVAL_POSTED, async ({ requestId }, at) => {
      if (!requestId) return;
      await this.#o.gate.addMessage(requestId, at);
      await this.redraw(requestId);
    });
  }

  /** Posts a new request in each target and remembers where, so later redraws update them all. */
  async post(requestId: string, targets: { channel: string; threadTs?: string }[]): Promise<void> {
    for (const target of targets) {
      const message = this.#message(requestId, target.channel);
      if (!message) return;
      const ts = await this.#o.outbox.send(
        {
          kind: "post",
          channel: target.channel,
          ...message,
          ...(target.threadTs ? { threadTs: target.threadTs } : {}),
        },
        { handler: APPROVAL_POSTED, data: { requestId } },
      );
      if (ts) await this.#o.gate.addMessage(requestId, { channel: target.channel, ts });
      // The copies elsewhere link to the request in the job's thread.
      if (ts && target.threadTs) {
        const thread = { channel: target.channel, ts, threadTs: target.threadTs };
        await this.#o.store.update((d) => {
          const copy = d.approvals[requestId]?.copy as CopyFacts | undefined;
          if (copy) copy.thread = thread;
        });
      }
    }
  }

  /** Updates every message of a request to its current state. */
  async redraw(requestId: string): Promise<void> {
    for (const at of this.#o.gate.get(requestId)?.messages ?? []) {
      const message = this.#message(requestId, at.channel);
      if (!message) return;
      try {
        await this.#o.outbox.send({ kind: "update", channel: at.channel, ts: at.ts, ...message });
      } catch (error) {
        this.#o.logger.warn({ err: error, request: requestId }, "could not update an approval message");
      }
    }
  }

  async note(jobId: string, text: string, context?: string): Promise<void> {
    try {
      await this.#o.cards.thread(jobId, buildNote(text, context ? { context } : {}));
    } catch (error) {
      this.#o.logger.warn({ err: error, job: jobId }, "could not post in the job's thread");
    }
  }

  async refreshCard(jobId: string): Promise<void> {
    try {
      await this.#o.cards.refresh(jobId);
    } catch (error) {
      this.#o.logger.warn({ err: error, job: jobId }, "could not refresh the job card");
    }
  }

  #message(requestId: string, channel: string) {
    const request = this.#o.gate.get(requestId);
    // A controller gate's request is drawn on its release's card (src/controllers), not here.
    if (!request || this.#o.store.data().approvals[requestId]?.controller) return undefined;
    const change = this.#o.store.data().approvals[requestId]?.change as JobChange | undefined;
    const plan = this.#o.desk.plan(request.planId);
    const evidence = this.#o.store.data().approvals[requestId]?.evidence as string[] | undefined;
    const analysis = this.#o.store.data().approvals[requestId]?.analysis as RequestAnalysis | undefined;
    const copy = this.#o.store.data().approvals[requestId]?.copy as CopyFacts | undefined;
    const job = this.#o.desk.job(request.jobId);
    const shownCopy = copy && copyChannels(copy).includes(channel) ? copy : undefined;
    return buildApprovalRequest({
      request,
      ...(job ? { newVersion: newVersionFacts(job, request) } : {}),
      // A new version that was not approved is not asked for again: its job is closed.
      ...(asksForNewVersion(job, request) ? { rerequest: false } : {}),
      ...(shownCopy ? { copy: shownCopy } : {}),
      ...(plan ? { plan } : {}),
      ...(evidence ? { evidence } : {}),
      ...(analysis ? { analysis } : {}),
      ...(this.#o.evidence ? {} : { unmeasured: true }),
      confirm: change ? needsConfirm(change) : false,
    });
  }
}
