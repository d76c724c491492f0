/** Repository search: keyword or one index, results with their facets (zone, format, record type). */
import type { FastifyInstance } from "fastify";
import { SEARCH_INDEXES } from "../../catalog/catalog.js";
import { SORT_KEYS } from "../../catalog/search-query.js";
import { html, type Html } from "../html.js";
import { dataTable, page, type PageContext } from "../layout.js";
import { fields, pageRoute, type Web } from "../server.js";
import {
  FACET_WINDOW,
  INDEX_LABELS,
  PAGE_SIZE,
  SORT_LABELS,
  runSearch,
  searchRequest,
  type FacetValue,
  type SearchRequest,
} from "../service.js";

/** The search URL with some parameters changed (page back to 1 unless given). */
function searchUrl(request: SearchRequest, change: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  const all: Record<string, string | undefined> = {
    q: request.text,
    index: request.index,
    sort: request.sort?.key,
    zone: request.zone,
    format: request.format,
    type: request.type,
    ...change,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined && v !== "") params.set(k, v);
  return `/search?${params.toString()}`;
}

function facetList(
  title: string,
  key: "zone" | "format" | "type",
  values: readonly FacetValue[],
  request: SearchRequest,
): Html {
  const chosen = request[key];
  return html`<h2>${title}</h2>
    <ul>
      ${values.map(
        (v) =>
          html`<li>
            ${
              chosen === v.value
                ? html`<strong>${v.value}</strong> (${v.count})
                    <a
                      href="${searchUrl(request, { [key]: undefined })}"
                      aria-label="Remove the ${title} filter ${v.value}"
                      >remove</a
                    >`
                : html`<a href="${searchUrl(request, { [key]: v.value })}">${v.value}</a>
                    (${v.count})`
            }
          </li>`,
      )}
    </ul>`;
}

function searchForm(request: SearchRequest | undefined): Html {
  return html`<form method="get" action="/search" class="row card" role="search">
    <label for="q">Search for</label>
    <input type="search" id="q" name="q" value="${request?.text ?? ""}" size="40" autofocus />
    <label for="index">in</label>
    <select id="index" name="index">
      ${[...SEARCH_INDEXES, "cql" as const].map(
        (i) =>
          html`<option value="${i}" ${request?.index === i ? html` selected` : ""}>
            ${INDEX_LABELS[i]}
          </option>`,
      )}
    </select>
    <label for="sort">sorted by</label>
    <select id="sort" name="sort">
      ${SORT_KEYS.map(
        (k) =>
          html`<option
            value="${k}"
            ${(request?.sort?.key ?? "relevance") === k ? html` selected` : ""}
          >
            ${SORT_LABELS[k]}
          </option>`,
      )}
    </select>
    <button type="submit">Search</button>
  </form>`;
}

async function searchPage(
  web: Web,
  ctx: PageContext,
  query: Readonly<Record<string, string>>,
): Promise<Html> {
  if (!ctx.institution) {
    return page(
      ctx,
      "Repository search",
      html`<p>
        There is no institution yet. Create one on the server:
        <code>marcgate institution add 01ABC_INST --name "ABC University"</code>.
      </p>`,
    );
  }
  const parsed = searchRequest(query);
  if ("error" in parsed)
    return page(ctx, "Repository search", searchForm(undefined), {
      kind: "error",
      text: parsed.error,
    });
  const request = parsed.request;
  if (request.text === "") {
    return page(
      ctx,
      "Repository search",
      html`${searchForm(request)}
        <p class="muted">
          Searches
          ${ctx.institution.code}${ctx.institution.network ? ` and its network zone ${ctx.institution.network}` : ""}.
        </p>`,
    );
  }
  const answer = await runSearch(web.catalog, ctx.institution, request);
  const pages = Math.max(1, Math.ceil(answer.filtered / PAGE_SIZE));
  const results = html`<p>
      ${answer.capped ? `more than ${answer.total.toLocaleString("en")}` : answer.total}
      record${answer.total === 1 ? "" : "s"}
      found${answer.filtered !== Math.min(answer.total, FACET_WINDOW) ? html`, ${answer.filtered} after the filters` : ""}${answer.windowed ? html` <span class="muted">(facets and filters look at the first ${FACET_WINDOW})</span>` : ""}.
    </p>
    ${dataTable(
      [
        {
          heading: "Title",
          cell: (r) =>
            html`<a href="/records/${r.mmsId}">${r.title || "(no title)"}</a>
              <div class="muted">${r.type} · ${r.format}</div>`,
        },
        { heading: "Author", cell: (r) => r.author },
        { heading: "Date", cell: (r) => r.date },
        { heading: "MMS ID", cell: (r) => r.mmsId },
        { heading: "Zone", cell: (r) => r.zone },
        { heading: "Brief level", cell: (r) => r.briefLevel },
      ],
      answer.rows,
      {
        caption: html`<caption class="muted align-left">
          Results, page ${request.page} of ${pages}
        </caption>`,
      },
    )}
    <nav aria-label="Result pages" class="row spaced">
      ${
        request.page > 1
          ? html`<a href="${searchUrl(request, { page: String(request.page - 1) })}"
              >Previous page</a
            >`
          : ""
      }${request.page < pages ? html`<a href="${searchUrl(request, { page: String(request.page + 1) })}">Next page</a>` : ""}
    </nav>`;
  return page(
    ctx,
    "Repository search",
    html`${searchForm(request)}
      <div class="layout">
        <aside class="facets card" aria-label="Facets">
          ${facetList("Zone", "zone", answer.facets.zone, request)}${facetList("Format", "format", answer.facets.format, request)}${facetList("Record type", "type", answer.facets.type, request)}
        </aside>
        <section>${results}</section>
      </div>`,
  );
}

export function register(app: FastifyInstance, web: Web): void {
  pageRoute(app, web, "GET", "/search", "view", (ctx, request) =>
    searchPage(web, ctx, fields(request.query)),
  );
}
