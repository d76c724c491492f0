/**
 * The importer: runs `decide` and commits the decision, for the Connexion gateway and for
 * `marcgate import`. It is the one place that turns decisions into catalog writes.
 *
 * Records for one zone are decided and committed in arrival order, so two exports of the same
 * new record cannot both be created. Records that arrive together (several Connexion clients at
 * once) are committed in one transaction — one disk flush for many records — as long as their
 * decisions depend on nothing in common (see `Decision.claims`); a record whose decision
 * depends on an earlier one in the batch waits for the next batch and is decided again.
 */
import {
  CatalogError,
  type Catalog,
  type ClaimHold,
  type ClaimSession,
  type CommitInput,
  type CommitRequest,
  type Zone,
} from "../catalog/catalog.js";
import {
  decide,
  prepareDecision,
  readIncoming,
  type PreparedDecision,
  type DecideOptions,
  type Decision,
  type Incoming,
} from "./decide.js";
import type { StoredProfileSettings } from "./profile.js";

/** One record to import. */
export interface ImportRequest {
  /** The bytes as received; kept with the job row whatever becomes of the record. */
  readonly raw: Uint8Array;
  /**
   * The record as read, when the caller has read it already, or how to read it when its turn
   * comes (a file's records wait in the queue as bytes, not as decoded records); else `raw` is
   * read as ISO 2709.
   */
  readonly incoming?: Incoming | (() => Incoming);
  readonly institution: Zone;
  readonly profile: StoredProfileSettings;
  readonly jobId: number;
  /** Who saves: `connexion:<logon ID>`, `import:<user>`. */
  readonly savedBy: string;
  /** Where the record came from, kept in the job row's log (peer address, file offset …). */
  readonly source?: Readonly<Record<string, unknown>>;
  /** How the decision departs from the profile (a forced import of a held record). */
  readonly options?: DecideOptions;
  /**
   * A forced import of the held job row with this ID: the new row links to it, its reason code
   * is `forced`, and the held row leaves the review queue in the same transaction.
   */
  readonly forcedFrom?: number;
}

/**
 * A decision as the importer reports it: what happened and why, with its log. The record it saved
 * is the catalog's to tell (`catalog.record(mmsId)`); the importer lets it go once the catalog
 * has staged it, while the record waits for its batch to be written.
 */
export type DecisionSummary = Omit<Decision, "change" | "record" | "localFields">;

/** What became of one record. */
export interface ImportResult {
  readonly decision: DecisionSummary;
  /** The record created or merged into (or concerned, when skipped). */
  readonly mmsId?: string;
  readonly entryId?: number;
}

/** Options of {@link Importer}. */
export interface ImporterOptions {
  /**
   * Most records committed in one transaction.
   * @default 64
   */
  readonly maxBatch?: number;
}

interface Pending {
  readonly request: ImportRequest;
  readonly resolve: (result: ImportResult) => void;
  readonly reject: (error: unknown) => void;
  /** The record's claims in the database (several processes on one catalog), until committed. */
  hold?: ClaimHold;
  /** The record read, normalized and validated (or decided already), while it waits for its claims. */
  prepared?: Decision | PreparedDecision;
}

/** A batch's records: each decision with the commit it makes (staged ahead where the catalog can). */
type Batch = { pending: Pending; decision: DecisionSummary; commit: CommitInput }[];

/** The batch being committed: what its decisions depend on, and its end. */
interface InFlight {
  readonly claims: ReadonlySet<string>;
  readonly done: Promise<void>;
  settled: boolean;
}

function inFlightOf(claims: ReadonlySet<string>, commit: Promise<void>): InFlight {
  const inFlight: InFlight = { claims, done: commit, settled: false };
  const settle = (): void => {
    inFlight.settled = true;
  };
  commit.then(settle, settle);
  return inFlight;
}

/**
 * One turn of the event loop. The batching window counts them: Node accepts one connection per
 * turn and the embedded catalog answers at once, so unless the loop turns while exports keep
 * arriving, nothing would ever batch.
 */
function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

interface ZoneQueue {
  readonly items: Pending[];
  running: boolean;
  /** Where the zone's decisions claim their keys across processes, when the catalog has one. */
  readonly claims?: ClaimSession;
  /** Wakes the drain loop waiting for a record to arrive. */
  wake?: () => void;
}

/** Resolves when a record is added to the queue. */
function arrival(queue: ZoneQueue): Promise<void> {
  return new Promise<void>((resolve) => {
    queue.wake = resolve;
  });
}

/** Event-loop turns without a new record that end the batching window. */
const QUIET_TURNS = 3;

/** How many times a record is decided again when its matched record changed under it. */
const CONFLICT_RETRIES = 3;

export class Importer {
  private readonly queues = new Map<string, ZoneQueue>();
  private readonly maxBatch: number;

  constructor(
    private readonly catalog: Catalog,
    options: ImporterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 64;
  }

  /** Decides and commits one record; resolves once the commit is durable. */
  import(request: ImportRequest): Promise<ImportResult> {
    const key = targetZone(request.institution, request.profile);
    let queue = this.queues.get(key);
    if (!queue) {
      const claims = this.catalog.claims?.session(key);
      queue = { items: [], running: false, ...(claims ? { claims } : {}) };
      this.queues.set(key, queue);
    }
    const result = new Promise<ImportResult>((resolve, reject) => {
      queue.items.push({ request, resolve, reject });
      queue.wake?.();
      delete queue.wake;
    });
    if (!queue.running) void this.drain(queue);
    return result;
  }

  /** Records waiting to be decided, over every zone (metrics: the import queue's depth). */
  get queued(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.items.length;
    return n;
  }

  /** The decision for one record, with nothing written (a dry run). */
  dryRun(request: Omit<ImportRequest, "jobId" | "savedBy" | "forcedFrom">): Promise<Decision> {
    return decide(incomingOf(request), request, this.catalog, request.options);
  }

  /**
   * Decides the zone's records in arrival order and commits them in batches. While one batch is
   * being committed (on the catalog's writer thread, or on PostgreSQL's connection), the next is
   * gathered and decided; a record whose decision depends on something the batch in flight
   * changes (its claims) waits for that commit and is decided again.
   */
  private async drain(queue: ZoneQueue): Promise<void> {
    queue.running = true;
    let inFlight: InFlight | undefined;
    try {
      while (queue.items.length > 0 || inFlight) {
        if (queue.items.length === 0) {
          // Records may arrive while the last batch is committed: decide them meanwhile.
          const last = inFlight!;
          await Promise.race([last.done, arrival(queue)]);
          if (last.settled) inFlight = undefined;
          continue;
        }
        const batch: Batch = [];
        const claimed = new Set<string>();
        let quiet = 0;
        // This batch is decided while the last one commits (a writer thread, PostgreSQL): it
        // goes to the catalog as soon as that commit ends, so neither side waits for the other.
        const overlapping = inFlight !== undefined && !inFlight.settled;
        for (;;) {
          const pending = queue.items[0];
          if (batch.length >= this.maxBatch) break;
          if (overlapping && batch.length > 0 && (inFlight === undefined || inFlight.settled)) {
            break;
          }
          if (pending === undefined) {
            // Nothing to decide: wait for more records while the last batch is still being
            // committed, else for a few event-loop turns (the batching window); then commit.
            if (inFlight && !inFlight.settled) {
              await Promise.race([inFlight.done, arrival(queue)]);
              continue;
            }
            if (quiet >= QUIET_TURNS) break;
            const before = queue.items.length;
            await nextTurn();
            quiet = queue.items.length > before ? 0 : quiet + 1;
            continue;
          }
          let decision: Decision;
          try {
            const { request } = pending;
            // Kept while the record waits for its claims; finished once (deciding again after a
            // commit that changed what it read prepares it afresh).
            const prepared =
              pending.prepared ?? prepareDecision(incomingOf(request), request, request.options);
            pending.prepared = prepared;
            if ("finish" in prepared) {
              if (queue.claims && !pending.hold) {
                // Other processes on the catalog: claim the record's keys before reading it.
                let hold = await queue.claims.tryHold(prepared.claims);
                if (!hold) {
                  // Another process is deciding a record with these keys. Wait for it holding
                  // nothing (commit this batch first): waits that hold nothing cannot deadlock.
                  if (batch.length > 0) break; // pending.prepared waits with the record
                  if (inFlight) {
                    await inFlight.done;
                    inFlight = undefined;
                  }
                  hold = await queue.claims.hold(prepared.claims);
                }
                pending.hold = hold;
              }
              delete pending.prepared;
              decision = await prepared.finish(this.catalog);
            } else {
              delete pending.prepared;
              decision = prepared;
            }
          } catch (error) {
            // A bug or the catalog failing: the record is still kept, as rejected, with why.
            queue.items.shift();
            const failed = failedDecision({ log: [] }, "decide", error);
            void this.commitOne(pending.request, failed, commitRequest(pending.request, failed))
              .then(pending.resolve, pending.reject)
              .finally(() => pending.hold?.release());
            continue;
          }
          const waitFor = inFlight;
          if (waitFor && decision.claims.some((c) => waitFor.claims.has(c))) {
            // Decided on a state the batch in flight is changing: decide again after it.
            if (batch.length > 0) break;
            await waitFor.done;
            inFlight = undefined;
            continue;
          }
          // Depends on a record an earlier decision of this batch will change: next batch.
          if (batch.length > 0 && decision.claims.some((c) => claimed.has(c))) break;
          queue.items.shift();
          for (const c of decision.claims) claimed.add(c);
          let commit: CommitInput = commitRequest(pending.request, decision);
          try {
            // Encoding, keys and search text now, while the batch in flight is being written;
            // the record itself is let go meanwhile (the staged form stands for it).
            commit = (await this.catalog.stageAhead?.(commit)) ?? commit;
          } catch {
            // The commit stages it again, and reports there whatever fails.
          }
          batch.push({ pending, decision: summaryOf(decision), commit });
          quiet = 0;
        }
        if (inFlight) await inFlight.done;
        inFlight = batch.length > 0 ? inFlightOf(claimed, this.commitAndRelease(batch)) : undefined;
      }
    } finally {
      queue.running = false;
    }
  }

  /** Commits a batch, then lets its records' claims go (once the commit is durable). */
  private async commitAndRelease(batch: Batch): Promise<void> {
    try {
      await this.commitBatch(batch);
    } finally {
      await Promise.all(batch.map((b) => b.pending.hold?.release()));
    }
  }

  private async commitBatch(batch: Batch): Promise<void> {
    if (batch.length === 0) return;
    if (batch.length > 1) {
      try {
        const results = await this.catalog.commitMany(batch.map((b) => b.commit));
        batch.forEach((b, i) => b.pending.resolve(importResult(b.decision, results[i]!)));
        return;
      } catch {
        // One of them failed and nothing was written: commit them one by one below.
      }
    }
    for (const { pending, decision, commit } of batch) {
      try {
        pending.resolve(await this.commitOne(pending.request, decision, commit));
      } catch (error) {
        pending.reject(error);
      }
    }
  }

  /** Commits one decision; when its record changed since, decides again (a few times). */
  private async commitOne(
    request: ImportRequest,
    first: DecisionSummary,
    firstCommit: CommitInput,
  ): Promise<ImportResult> {
    let decision = first;
    let commit = firstCommit;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.catalog.commit(commit);
        return importResult(decision, result);
      } catch (error) {
        const again =
          error instanceof CatalogError &&
          (error.code === "version-conflict" || error.code === "locked") &&
          attempt < CONFLICT_RETRIES;
        if (!again) return this.keepRejected(request, decision, error);
        decision = await decide(incomingOf(request), request, this.catalog, request.options);
        commit = commitRequest(request, decision);
      }
    }
  }

  /**
   * The save failed for a reason deciding again cannot fix: the record is kept in the job log as
   * rejected, with the reason, so nothing that arrived is lost. Throws when even that fails.
   */
  private async keepRejected(
    request: ImportRequest,
    decision: DecisionSummary,
    error: unknown,
  ): Promise<ImportResult> {
    const failed = failedDecision(decision, "commit", error);
    return importResult(failed, await this.catalog.commit(commitRequest(request, failed)));
  }
}

/** A record that could not be decided or saved: rejected, with the error as the reason. */
function failedDecision(
  decision: Pick<Decision, "log" | "mmsId">,
  stage: "decide" | "commit",
  error: unknown,
): Decision {
  const message = error instanceof Error ? error.message : String(error);
  return {
    outcome: "rejected",
    reason:
      stage === "commit"
        ? `the catalog could not save the record (${message})`
        : `marcgate could not decide what to do with the record (${message}); please report this`,
    reasonCode: "failed",
    log: [...decision.log, { stage: "commit", message: `${stage} failed: ${message}` }],
    claims: [],
    ...(decision.mmsId !== undefined ? { mmsId: decision.mmsId } : {}),
  };
}

/** The record of a request as read: given, read now by the function given, or read from `raw`. */
export function incomingOf(request: Pick<ImportRequest, "raw" | "incoming">): Incoming {
  const { incoming } = request;
  if (typeof incoming === "function") return incoming();
  return incoming ?? readIncoming(request.raw);
}

function targetZone(institution: Zone, profile: StoredProfileSettings): string {
  return profile.useNetworkZone && institution.network !== undefined
    ? institution.network
    : institution.code;
}

const ACTIONS: Partial<Record<Decision["outcome"], string>> = {
  created: "create",
  merged: "merge",
  overlaid: "overlay",
};

/** The commit of a decision: the record change, if any, and the job row. */
function commitRequest(request: ImportRequest, decision: Decision): CommitRequest {
  return {
    ...(decision.change ? { change: decision.change } : {}),
    ...(decision.localFields ? { localFields: decision.localFields } : {}),
    entry: {
      jobId: request.jobId,
      raw: request.raw,
      outcome: decision.outcome,
      // A forced import is counted as such, unless it failed (then why it failed counts).
      reasonCode:
        request.forcedFrom !== undefined && decision.reasonCode !== "failed"
          ? "forced"
          : decision.reasonCode,
      ...(request.forcedFrom !== undefined ? { forcedFrom: request.forcedFrom } : {}),
      messages: [decision.reason],
      log: {
        ...(request.source ? { source: request.source } : {}),
        ...(decision.mmsId !== undefined ? { mmsId: decision.mmsId } : {}),
        ...(decision.candidates ? { candidates: decision.candidates } : {}),
        entries: decision.log,
      },
    },
    context: {
      savedBy: request.savedBy,
      action: ACTIONS[decision.outcome] ?? decision.outcome,
      jobId: request.jobId,
    },
  };
}

/** The decision without the records it saves. */
function summaryOf(decision: DecisionSummary): DecisionSummary {
  const { outcome, mmsId, candidates, reason, reasonCode, log, claims, recordKind } = decision;
  return {
    ...(recordKind !== undefined ? { recordKind } : {}),
    outcome,
    reason,
    reasonCode,
    log,
    claims,
    ...(mmsId !== undefined ? { mmsId } : {}),
    ...(candidates ? { candidates } : {}),
  };
}

function importResult(
  decision: DecisionSummary,
  result: { mmsId?: string; entryId?: number },
): ImportResult {
  const mmsId = result.mmsId ?? decision.mmsId;
  return {
    decision: summaryOf(decision),
    ...(mmsId !== undefined ? { mmsId } : {}),
    ...(result.entryId !== undefined ? { entryId: result.entryId } : {}),
  };
}
