/**
 * Ranking on real records: the first 400 bibliographic records of the bench file loaded into
 * a scratch SQLite catalog (and a PostgreSQL one when MARCGATE_TEST_PG is set), then searched
 * by each sampled record's title proper (245 $a) and by single title words.
 *
 * - A title search lists a record with that title first on each engine (the exact title tier);
 *   when several records share the title, one of them.
 * - Both engines agree on the first hit of every title search, and their first five hits of a
 *   word search overlap in at least three (the rank functions differ: bm25 and ts_rank_cd).
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Catalog } from "../../src/catalog/catalog.js";
import { openCatalog } from "../../src/catalog/open.js";
import { normalizeSearchText } from "../../src/catalog/search-text.js";
import { readIso2709Buffer } from "../../src/marc/iso2709.js";
import { getDataFields, type MarcRecord } from "../../src/marc/record.js";
import { readFileSync } from "node:fs";

export interface SearchCheck {
  readonly records: number;
  readonly queries: number;
  readonly table: readonly string[];
  readonly failures: readonly string[];
}

const RECORDS = 400;

function titleProper(record: MarcRecord): string {
  const field = getDataFields(record, /^245$/)[0];
  return field?.subfields.find((s) => s.code === "a")?.value ?? "";
}

async function loaded(
  location: Parameters<typeof openCatalog>[0],
  bibs: MarcRecord[],
): Promise<{ catalog: Catalog; ids: string[] }> {
  const opened = await openCatalog(location);
  if (!opened.catalog) throw new Error(opened.error);
  const catalog = opened.catalog;
  await catalog.addInstitution({ code: "IZ", name: "Corpus" });
  const results = await catalog.createMany(
    bibs.map((marc) => ({ kind: "create", zone: "IZ", marc })),
    { savedBy: "corpus", action: "load" },
  );
  return { catalog, ids: results.mmsIds };
}

export async function checkSearch(corpus: string, scratch: string): Promise<SearchCheck> {
  const bibs: MarcRecord[] = [];
  for (const r of readIso2709Buffer(readFileSync(join(corpus, "bench/all-utf8.mrc")))) {
    const type = r.record?.leader[6];
    if (r.record && type !== undefined && !"uvxyz".includes(type) && titleProper(r.record))
      bibs.push(r.record);
    if (bibs.length === RECORDS) break;
  }
  const engines: { name: string; catalog: Catalog; ids: string[] }[] = [];
  engines.push({ name: "sqlite", ...(await loaded({ data: join(scratch, "search") }, bibs)) });
  const pg = process.env.MARCGATE_TEST_PG;
  const schema = `corpus_search_${randomBytes(4).toString("hex")}`;
  if (pg) engines.push({ name: "postgres", ...(await loaded({ db: pg, schema }, bibs)) });
  const failures: string[] = [];
  const zones = ["IZ"];
  const titleFirst = [0, 0];
  let agreeFirst = 0;
  let titleQueries = 0;
  // Every 8th record's title proper.
  for (let i = 0; i < bibs.length; i += 8) {
    const title = titleProper(bibs[i]!);
    const normalized = normalizeSearchText(title);
    if (normalized === "") continue;
    titleQueries++;
    const sameTitle = new Set(
      bibs
        .map((b, j) => [normalizeSearchText(titleProper(b)), j] as const)
        .filter(([t]) => t.startsWith(normalized))
        .map(([, j]) => j),
    );
    const firsts: (string | undefined)[] = [];
    for (const [e, engine] of engines.entries()) {
      const result = await engine.catalog.search({ text: title, zones, limit: 5 });
      const first = result.hits[0]?.mmsId;
      firsts.push(first);
      const at = first === undefined ? -1 : engine.ids.indexOf(first);
      if (sameTitle.has(at)) titleFirst[e]!++;
      else
        failures.push(
          `search (${engine.name}): "${title}" lists ${first ?? "nothing"} ("${at >= 0 ? titleProper(bibs[at]!) : ""}") first, not a record of that title`,
        );
    }
    if (engines.length === 2) {
      // Ties among records of one title may come in either order: compare the title.
      const [a, b] = firsts.map((f, e) =>
        f ? titleProper(bibs[engines[e]!.ids.indexOf(f)]!) : "",
      );
      if (normalizeSearchText(a!) === normalizeSearchText(b!)) agreeFirst++;
      else failures.push(`search: "${title}" first hits differ: sqlite "${a}", postgres "${b}"`);
    }
  }
  // Single title words: top-five overlap.
  let overlapOk = 0;
  let wordQueries = 0;
  if (engines.length === 2) {
    const words = new Set<string>();
    for (let i = 3; i < bibs.length && words.size < 40; i += 10)
      for (const w of normalizeSearchText(titleProper(bibs[i]!)).split(" "))
        if (w.length >= 5) words.add(w);
    for (const word of words) {
      wordQueries++;
      const [a, b] = await Promise.all(
        engines.map(async (e) => (await e.catalog.search({ text: word, zones, limit: 5 })).hits),
      );
      const inB = new Set(b!.map((h) => h.mmsId));
      const common = a!.filter((h) => inB.has(h.mmsId)).length;
      if (common >= Math.min(3, a!.length)) overlapOk++;
      else failures.push(`search: "${word}" top five share ${common} hit(s) across engines`);
    }
  }
  for (const e of engines) await e.catalog.close();
  if (pg) {
    const { Pool } = await import("pg");
    const pool = new Pool({ connectionString: pg, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
  const table = [
    `  ${titleQueries} title searches: exact title first on ${engines.map((e, i) => `${e.name} ${titleFirst[i]}`).join(", ")}` +
      (engines.length === 2
        ? `; same first hit on both engines ${agreeFirst}`
        : " (PostgreSQL: set MARCGATE_TEST_PG to compare)"),
    ...(engines.length === 2
      ? [`  ${wordQueries} word searches: top five share ≥ 3 hits on ${overlapOk}`]
      : []),
  ];
  return { records: bibs.length, queries: titleQueries + wordQueries, table, failures };
}
