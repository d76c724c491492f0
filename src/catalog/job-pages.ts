/**
 * A job's rows a page at a time, of one outcome or all: what the job page, `GET /api/jobs/{id}`
 * and `marcgate job show` list. Counts per outcome come from the job (`ImportJob.counts`), so a
 * 2,000-row job reads 100 rows, not 2,000.
 */
import {
  CatalogError,
  type Catalog,
  type ImportJob,
  type JobOutcome,
  type JobRecord,
} from "./catalog.js";
import { outcomeVocabulary, parseOutcome } from "./outcome-words.js";

/** Rows on one page of a job. */
export const JOB_ROWS_PER_PAGE = 100;

/** Which page of a job's rows. */
export interface JobRowsRequest {
  /** Only this outcome's rows. @default every outcome */
  readonly outcome?: JobOutcome;
  /** The page, from 1; past the last page gives the last page. @default 1 */
  readonly page?: number;
  /** @default {@link JOB_ROWS_PER_PAGE} */
  readonly perPage?: number;
}

/** One page of a job's rows. */
export interface JobRowsPage {
  readonly outcome?: JobOutcome;
  /** This page, from 1. */
  readonly page: number;
  /** How many pages there are (at least 1). */
  readonly pages: number;
  readonly perPage: number;
  /** The rows of the outcome (or of all), across every page. */
  readonly total: number;
  /** The job's rows per outcome (forced imports included, as the rows are). */
  readonly counts: Readonly<Partial<Record<JobOutcome, number>>>;
  readonly rows: readonly JobRecord[];
}

/** The page's rows and where it stands. */
export async function jobRowsPage(
  catalog: Catalog,
  job: ImportJob,
  request: JobRowsRequest = {},
): Promise<JobRowsPage> {
  const perPage = request.perPage ?? JOB_ROWS_PER_PAGE;
  const { outcome } = request;
  const total =
    outcome === undefined
      ? Object.values(job.counts).reduce((a, b) => a + b, 0)
      : (job.counts[outcome] ?? 0);
  const pages = Math.max(1, Math.ceil(total / perPage));
  const page = Math.min(Math.max(1, Math.floor(request.page ?? 1)), pages);
  const rows = await catalog.jobRecords(job.id, {
    ...(outcome !== undefined ? { outcome } : {}),
    limit: perPage,
    offset: (page - 1) * perPage,
  });
  return {
    ...(outcome !== undefined ? { outcome } : {}),
    page,
    pages,
    perPage,
    total,
    counts: job.counts,
    rows,
  };
}

/**
 * The request of a query string's `outcome` (a code or its words) and `page` (a whole number
 * from 1); an outcome that names none, or a page that is no number, is `invalid`.
 */
export function jobRowsRequest(query: {
  readonly outcome?: string | undefined;
  readonly page?: string | undefined;
}): JobRowsRequest {
  let outcome: JobOutcome | undefined;
  if (query.outcome !== undefined && query.outcome !== "") {
    outcome = parseOutcome(query.outcome);
    if (outcome === undefined)
      throw new CatalogError(
        "invalid",
        `no outcome "${query.outcome}"; say one of ${outcomeVocabulary()
          .map((o) => `${o.outcome} (${o.label})`)
          .join(", ")}`,
      );
  }
  let page: number | undefined;
  if (query.page !== undefined && query.page !== "") {
    if (!/^[0-9]{1,9}$/.test(query.page) || Number(query.page) < 1)
      throw new CatalogError("invalid", `page "${query.page}" is not a whole number from 1`);
    page = Number(query.page);
  }
  return { ...(outcome !== undefined ? { outcome } : {}), ...(page !== undefined ? { page } : {}) };
}
