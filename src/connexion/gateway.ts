/**
 * The gateway: what happens to one Connexion request once its bytes have arrived. It finds the
 * institution and its "OCLC Connexion" profile by the logon ID (`01ABC_INST`: the default
 * profile; `01ABC_INST/SERIALS`: the profile SERIALS, see `logon-id.ts`), checks the password
 * against that profile (throttling addresses that keep failing), hands the record to the
 * importer and words the reply. Credentials are never logged or stored; records that fail the
 * logon are not stored.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { Catalog, Zone } from "../catalog/catalog.js";
import { readIncoming } from "../import/decide.js";
import type { Importer, ImportResult } from "../import/importer.js";
import { hashPassword, verifyPassword } from "../import/password.js";
import { loadConnexionProfile, type StoredProfileSettings } from "../import/profile.js";
import { logonTarget } from "./logon-id.js";
import { errorReply, namingProfile, replyText, type RecordUrl } from "./reply.js";
import type { ConnexionRequest } from "./request.js";
import { LogonThrottle, type LogonThrottleOptions } from "./throttle.js";

/** Who sent a request. */
export interface Peer {
  readonly address: string;
  readonly port: number;
}

/** What one export came to, for the server's log line. */
export interface ExportOutcome {
  readonly reply: string;
  /** `created`, `merged`, … or `unauthorized`, `throttled`, `failed`. */
  readonly outcome: string;
  readonly institution?: string;
  /** The code of the profile that took the export. */
  readonly profile?: string;
  readonly mmsId?: string;
  readonly jobId?: number;
}

/** Options of {@link ConnexionGateway}. */
export interface GatewayOptions {
  /** The institution for requests without a logon ID (the client's logon box unchecked). */
  readonly defaultInstitution?: string;
  /** The record's address for the reply's second line. */
  readonly recordUrl?: RecordUrl;
  readonly throttle?: LogonThrottleOptions;
  /** The clock, for the day a job belongs to. @default () => new Date() */
  readonly now?: () => Date;
}

interface OpenJob {
  readonly day: string;
  readonly id: Promise<number>;
}

const UNAUTHORIZED =
  "Unauthorized request: the logon ID or password is wrong. In Connexion's export options, the Logon ID is the institution code (or the institution code, / and a profile code) and the password is the one in that OCLC Connexion profile";

/** Most verified passwords remembered (so each export does not pay for a scrypt hash). */
const VERIFIED_CACHE = 1_000;

export class ConnexionGateway {
  private readonly throttle: LogonThrottle;
  /** The open job of each institution's profile (`institution \0 profile code`). */
  private readonly jobs = new Map<string, OpenJob>();
  /** HMAC of (institution, profile, password) under a key of this process → the hash it matched. */
  private readonly verified = new Map<string, string>();
  private readonly cacheKey = randomBytes(32);
  /** A hash no password matches, checked for an unknown profile code (see `logOn`). */
  private decoyHash: Promise<string> | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly catalog: Catalog,
    private readonly importer: Importer,
    private readonly options: GatewayOptions = {},
  ) {
    // Shared by every node on the catalog when it can be (PostgreSQL), else this process's.
    const store = catalog.throttleStore?.("connexion", options.throttle?.maxKeys ?? 10_000);
    this.throttle = new LogonThrottle(options.throttle, store);
    this.now = options.now ?? (() => new Date());
  }

  /** Handles one request; never throws (a failure is an `Error:` reply). */
  async handle(request: ConnexionRequest, peer: Peer): Promise<ExportOutcome> {
    try {
      return await this.handleRequest(request, peer);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        outcome: "failed",
        reply: errorReply(
          `the catalog could not take the record (${message}). Please contact the administrator`,
        ),
      };
    }
  }

  /**
   * Server shutdown. The day's jobs stay open: other nodes, or this one restarted, go on adding
   * to them; a job is finished when the institution's next day's job starts.
   */
  close(): Promise<void> {
    this.jobs.clear();
    return Promise.resolve();
  }

  private async handleRequest(request: ConnexionRequest, peer: Peer): Promise<ExportOutcome> {
    const blocked = await this.throttle.blockedFor(peer.address);
    if (blocked > 0) {
      const minutes = Math.ceil(blocked / 60_000);
      return {
        outcome: "throttled",
        reply: errorReply(
          `too many failed logons from ${peer.address}; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`,
        ),
      };
    }
    const logonId = request.logon.logonId ?? request.logon.user ?? this.options.defaultInstitution;
    const logon =
      logonId !== undefined ? await this.logOn(logonId, request.logon.password ?? "") : undefined;
    if (!logon) {
      // Only a logon that was tried counts towards throttling, not a client set up without one.
      if (logonId !== undefined) await this.throttle.failed(peer.address);
      return {
        outcome: "unauthorized",
        ...(logonId !== undefined ? { institution: logonId } : {}),
        reply: errorReply(
          logonId === undefined
            ? `Unauthorized request: no logon ID was sent. In Connexion's export options, check "Send Local System Logon ID and Password" and enter the institution code as the Logon ID`
            : UNAUTHORIZED,
        ),
      };
    }
    await this.throttle.succeeded(peer.address);
    const { institution, profile, isDefault } = logon;
    const jobId = await this.jobFor(institution.code, profile.code, isDefault);
    const result: ImportResult = await this.importer.import({
      raw: request.record,
      incoming: readIncoming(request.record, {
        end: request.end,
        ...(request.declaredLength !== undefined ? { declaredLength: request.declaredLength } : {}),
      }),
      institution,
      profile,
      jobId,
      savedBy: `connexion:${institution.code}`,
      source: {
        kind: "connexion",
        peer: `${peer.address}:${peer.port}`,
        lengthForm: request.lengthForm,
        end: request.end,
      },
    });
    const reply = replyText(result, {
      jobId,
      ...(this.options.recordUrl ? { recordUrl: this.options.recordUrl } : {}),
    });
    return {
      outcome: result.decision.outcome,
      institution: institution.code,
      profile: profile.code,
      jobId,
      ...(result.mmsId !== undefined ? { mmsId: result.mmsId } : {}),
      reply: isDefault ? reply : namingProfile(reply, profile.code),
    };
  }

  /**
   * The institution and the profile the logon ID names when it and the password are right. An
   * unknown institution, an unknown profile code and a wrong password are one answer (the reply
   * does not tell which codes exist), and each counts as a failed logon.
   */
  private async logOn(
    logonId: string,
    password: string,
  ): Promise<
    { institution: Zone; profile: StoredProfileSettings; isDefault: boolean } | undefined
  > {
    const target = logonTarget(logonId);
    const institution = await this.catalog.zone(target.institution);
    if (!institution || institution.kind !== "institution") return undefined;
    const loaded = await loadConnexionProfile(this.catalog, institution.code, target.profile);
    if (!loaded) {
      // An unknown code costs the time of a password check, so the time does not tell it.
      this.decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
      await verifyPassword(password, await this.decoyHash);
      return undefined;
    }
    if ("error" in loaded) throw new Error(loaded.error);
    const { profile, isDefault } = loaded;
    if (profile.passwordHash === undefined) return undefined;
    const cacheKey = createHmac("sha256", this.cacheKey)
      .update(institution.code)
      .update("\0")
      .update(profile.code)
      .update("\0")
      .update(password)
      .digest("base64");
    if (this.verified.get(cacheKey) !== profile.passwordHash) {
      if (!(await verifyPassword(password, profile.passwordHash))) return undefined;
      if (this.verified.size >= VERIFIED_CACHE) this.verified.clear();
      this.verified.set(cacheKey, profile.passwordHash);
    }
    return { institution, profile, isDefault };
  }

  /**
   * The profile's job for today's Connexion exports: one per profile and day (as Alma runs a job
   * per profile), shared by every node on the catalog (and by a restart). The default profile's
   * job is `OCLC Connexion exports DAY`, another's `OCLC Connexion exports DAY (profile CODE)`.
   * Starting it finishes the institution's jobs of the days before, whatever their profile.
   */
  private jobFor(institution: string, profile: string, isDefault: boolean): Promise<number> {
    const day = this.now().toISOString().slice(0, 10);
    const key = `${institution}\0${profile}`;
    const open = this.jobs.get(key);
    if (open && open.day === day) return open.id;
    const id = this.catalog
      .startJob({
        institution,
        source: "connexion",
        description: `OCLC Connexion exports ${day}${isDefault ? "" : ` (profile ${profile})`}`,
        profile,
        shared: true,
      })
      .then((job) => job.id);
    // The days before: their jobs are over (whichever node, or run, started them).
    void id.then(() => this.finishEarlierDays(institution, day)).catch(() => undefined);
    // A job that could not be started is tried again by the next export.
    id.catch(() => {
      if (this.jobs.get(key)?.id === id) this.jobs.delete(key);
    });
    this.jobs.set(key, { day, id });
    return id;
  }

  private async finishEarlierDays(institution: string, day: string): Promise<void> {
    const today = `OCLC Connexion exports ${day}`;
    for (const job of await this.catalog.jobs(institution, { limit: 20 })) {
      // The day is the description's start: today's jobs of the other profiles stay open.
      const started = job.description.slice(0, today.length);
      if (job.source === "connexion" && job.finished === undefined && started < today) {
        await this.catalog.finishJob(job.id);
      }
    }
  }
}
