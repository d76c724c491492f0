/**
 * The match methods on a real catalog (SQLite; PostgreSQL too with MARCGATE_TEST_PG), with records built here: each method, serial and
 * non-serial routing, Multi-step order, the profile syntax, and the log of what was tried.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Pool } from "pg";
import type { Catalog, Zone } from "../../src/catalog/catalog.js";
import { openCatalog } from "../../src/catalog/open.js";
import { openPostgresCatalog } from "../../src/catalog/postgres.js";
import { Importer } from "../../src/import/importer.js";
import {
  chooseMatchMethod,
  matchClaims,
  runMatchMethod,
  type MatchResult,
} from "../../src/import/match.js";
import {
  compareTitleAuthor,
  diceSimilarity,
  titleAuthorParts,
} from "../../src/import/match/similarity.js";
import { parseProfile, type ConnexionProfile } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { Field, MarcRecord } from "../../src/marc/record.js";
import { data } from "../connexion/_fixture.js";

/** A book (or, with `level: "s"`, a serial) with the fields given. */
function bib(fields: Field[], options: { level?: string; type?: string } = {}): MarcRecord {
  const leader = `00000c${options.type ?? "a"}${options.level ?? "m"} a2200000 a 4500`;
  return { leader, fields };
}

/** A MARC 21 authority record (leader/06 `z`, a 40-character 008) with the fields given. */
function authorityRecord(fields: Field[]): MarcRecord {
  return {
    leader: "00000nz  a2200000n  4500",
    fields: [{ tag: "008", value: "850101n| acannaabn          |a aaa      " }, ...fields],
  };
}

function profile(settings: Record<string, unknown> = {}): ConnexionProfile {
  const parsed = parseProfile({ code: "CONNEXION", ...settings });
  assert.ok("input" in parsed, JSON.stringify(parsed));
  return parsed.input.profile;
}

const date = (year: string): Field => ({
  tag: "008",
  value: `260101s${year}    nyu           000 0 eng d`,
});

/** A fresh catalog of an engine and how to remove it after the tests. */
interface Engine {
  readonly name: string;
  open(): Promise<{ catalog: Catalog; remove: () => Promise<void> }>;
}

const ENGINES: Engine[] = [
  {
    name: "sqlite",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "marcgate-match-"));
      const opened = await openCatalog({ data: dir });
      assert.ok(opened.catalog);
      return {
        catalog: opened.catalog,
        remove: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
];
// The title search behind Title and author is each engine's own full-text index: PostgreSQL too
// when a server is given (as for the catalog suite).
const pgUrl = process.env.MARCGATE_TEST_PG;
if (pgUrl) {
  ENGINES.push({
    name: "postgres",
    async open() {
      const schema = `t_${randomBytes(6).toString("hex")}`;
      const catalog = await openPostgresCatalog(pgUrl, { schema });
      return {
        catalog,
        remove: async () => {
          const admin = new Pool({ connectionString: pgUrl, max: 1 });
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await admin.end();
        },
      };
    },
  });
}

for (const engine of ENGINES)
  describe(`match methods (${engine.name})`, () => {
    let remove: () => Promise<void>;
    let catalog: Catalog;
    let institution: Zone;
    let other: Zone;

    before(async () => {
      ({ catalog, remove } = await engine.open());
      institution = await catalog.addInstitution({ code: "01MATCH_INST", name: "Match" });
      other = await catalog.addInstitution({ code: "01OTHER_INST", name: "Other" });
    });
    after(async () => {
      await catalog.close();
      await remove();
    });

    /** Stores a record as the importer would (001 becomes the MMS ID). */
    async function store(marc: MarcRecord, zone: Zone = institution): Promise<string> {
      const result = await catalog.commit({
        change: { kind: "create", zone: zone.code, marc, controlNumber: "mms-id" },
        context: { savedBy: "test", action: "create" },
      });
      return result.mmsId!;
    }

    /** Runs one named method (or Multi-step with steps) on a record in the institution zone. */
    function match(
      method: ConnexionProfile["nonSerialMatchMethod"],
      record: MarcRecord,
      steps?: ConnexionProfile["nonSerialMatchSteps"],
    ): Promise<MatchResult> {
      return runMatchMethod({ method, ...(steps ? { steps } : {}) }, record, catalog, [
        institution.code,
      ]);
    }

    test("Unique OCLC Identifier: own numbers, and cancelled numbers both ways round", async () => {
      const current = await store(
        bib([data("035", "  ", "a(OCoLC)5001"), data("019", "  ", "a5002")]),
      );
      const old = await store(bib([data("035", "  ", "a(OCoLC)ocm00005003")]));
      await store(bib([data("035", "  ", "a(OCoLC)5001")]), other); // another zone: never found

      const same = await match(
        "Unique OCLC Identifier",
        bib([data("035", "  ", "a(OCoLC)ocn005001")]),
      );
      assert.deepEqual(same.mmsIds, [current]);
      assert.deepEqual(same.matchedBy, ["OCLC number 5001"]);
      // The incoming number is one the stored record lists as merged into it (019).
      const merged = await match(
        "Unique OCLC Identifier",
        bib([data("035", "  ", "a(OCoLC)5002")]),
      );
      assert.deepEqual(merged.mmsIds, [current]);
      assert.ok(
        merged.log.some(
          (e) =>
            e.message ===
              `OCLC number 5002 among cancelled OCLC numbers (019, 035 $z): 1 record(s): ${current}` &&
            e.data?.["among"] === "oclc-cancelled",
        ),
      );
      // The incoming record says (035 $z) that the stored record's number was merged into it.
      const newer = await match(
        "Unique OCLC Identifier",
        bib([data("035", "  ", "a(OCoLC)5004", "z(OCoLC)5003")]),
      );
      assert.deepEqual(newer.mmsIds, [old]);
      assert.deepEqual(newer.matchedBy, ["cancelled OCLC number 5003"]);
      // Two cancelled numbers are not compared.
      const both = await match("Unique OCLC Identifier", bib([data("019", "  ", "a5002")]));
      assert.deepEqual(both.mmsIds, []);
      const none = await match("Unique OCLC Identifier", bib([data("020", "  ", "a0060128003")]));
      assert.deepEqual(none.mmsIds, []);
      assert.match(none.log[0]!.message, /^the record has no OCLC number/);
    });

    test("an authority record and a bib sharing an OCLC number never match each other", async () => {
      const heading = data("100", "1 ", "aTwain, Mark,", "d1835-1910");
      const authority = await store(authorityRecord([data("035", "  ", "a(OCoLC)7001"), heading]));
      // Incoming bib, only the authority stored: no candidate, neither by key nor by 001.
      const bibFirst = await match(
        "Unique OCLC Identifier",
        bib([data("035", "  ", "a(OCoLC)7001")]),
      );
      assert.deepEqual(bibFirst.mmsIds, []);
      assert.deepEqual(bibFirst.held, []);
      const byMmsId = await match(
        "001 to MMS ID",
        bib([{ tag: "001", value: authority }, data("035", "  ", "a(OCoLC)7001")]),
      );
      assert.deepEqual(byMmsId.mmsIds, []);
      assert.ok(
        byMmsId.log.some((e) =>
          /is an authority record, the incoming record a bibliographic record/.test(e.message),
        ),
      );
      const book = await store(bib([data("035", "  ", "a(OCoLC)7001")]));
      assert.deepEqual(await catalog.findByKey("oclc", "7001", [institution.code]), [book]);
      assert.deepEqual(await catalog.findByKey("oclc", "7001", [institution.code], "authority"), [
        authority,
      ]);
      // Each kind finds its own record only, whichever way round.
      const asBib = await match("Unique OCLC Identifier", bib([data("035", "  ", "a(OCoLC)7001")]));
      assert.deepEqual(asBib.mmsIds, [book]);
      const asAuthority = await match(
        "Unique OCLC Identifier",
        authorityRecord([data("035", "  ", "a(OCoLC)7001"), heading]),
      );
      assert.deepEqual(asAuthority.mmsIds, [authority]);
      assert.deepEqual(asAuthority.held, []);
    });

    test("035 (Other System Identifier): 035 $a among stored 035 $a and (003)001, OCLC numbers", async () => {
      const dlc = await store(bib([data("035", "  ", "a(DLC)  2001012345")]));
      const loaded = await catalog.commit({
        change: {
          kind: "create",
          zone: institution.code,
          marc: bib([
            { tag: "001", value: "a999999" },
            { tag: "003", value: "Sirsi" },
          ]),
        },
        context: { savedBy: "test", action: "load" },
      });
      const oclc = await store(bib([data("035", "  ", "a(OCoLC)6001")]));
      const a = await match(
        "035 (Other System Identifier)",
        bib([data("035", "  ", "a(DLC)2001012345")]),
      );
      assert.deepEqual(a.mmsIds, [dlc]);
      const b = await match(
        "035 (Other System Identifier)",
        bib([data("035", "  ", "a(Sirsi) a999999")]),
      );
      assert.deepEqual(b.mmsIds, [loaded.mmsId]);
      const c = await match(
        "035 (Other System Identifier)",
        bib([data("035", "  ", "a(OCoLC)ocm00006001")]),
      );
      assert.deepEqual(c.mmsIds, [oclc]);
      // Letter case counts for other systems' numbers.
      const d = await match(
        "035 (Other System Identifier)",
        bib([data("035", "  ", "a(dlc)2001012345")]),
      );
      assert.deepEqual(d.mmsIds, []);
    });

    test("ISBN/ISSN: exact subfield — $a with $a, $z with $z; ISBN-10 and -13 are one", async () => {
      const book = await store(bib([data("020", "  ", "a9780060128005", "z0060128011")]));
      const serial = await store(
        bib([data("022", "  ", "a0028-0836", "l1234-5679")], { level: "s" }),
      );
      const ten = await match("ISBN/ISSN", bib([data("020", "  ", "a0-06-012800-3 (pbk.)")]));
      assert.deepEqual(ten.mmsIds, [book]);
      assert.deepEqual(ten.matchedBy, ["ISBN 9780060128005"]);
      const cancelled = await match("ISBN/ISSN", bib([data("020", "  ", "z0060128011")]));
      assert.deepEqual(cancelled.mmsIds, [book]);
      // A $a is not looked up among $z.
      const crossed = await match("ISBN/ISSN", bib([data("020", "  ", "a0060128011")]));
      assert.deepEqual(crossed.mmsIds, []);
      const issn = await match("ISBN/ISSN", bib([data("022", "  ", "a00280836")], { level: "s" }));
      assert.deepEqual(issn.mmsIds, [serial]);
      // The linking ISSN is shared by other editions: not a match.
      const linking = await match(
        "ISBN/ISSN",
        bib([data("022", "  ", "l1234-5679")], { level: "s" }),
      );
      assert.deepEqual(linking.mmsIds, []);
    });

    test("024 / 035: standard identifiers, then 035s; every record found counts", async () => {
      const upc = await store(bib([data("024", "1 ", "a012345678905")]));
      const local = await store(bib([data("035", "  ", "a(Local)b77")]));
      const both = await match(
        "024 / 035",
        bib([data("024", "1 ", "a0 12345 67890 5 (box set)"), data("035", "  ", "a(Local)b77")]),
      );
      assert.deepEqual(both.mmsIds, [upc, local]);
      assert.deepEqual(both.matchedBy, ["024 identifier upc:012345678905", "035 (Local)b77"]);
      const doi = await match(
        "024 / 035",
        bib([data("024", "7 ", "ahttps://doi.org/10.1/X", "2doi")]),
      );
      assert.deepEqual(doi.mmsIds, []);
      assert.deepEqual(doi.tried, ["024 identifier doi:10.1/x"]);
    });

    test("001 to MMS ID: the 001 is the MMS ID of a record in the zones", async () => {
      const mine = await store(bib([data("245", "10", "aMine")]));
      const theirs = await store(bib([data("245", "10", "aTheirs")]), other);
      const found = await match("001 to MMS ID", bib([{ tag: "001", value: mine }]));
      assert.deepEqual(found.mmsIds, [mine]);
      const elsewhere = await match("001 to MMS ID", bib([{ tag: "001", value: theirs }]));
      assert.deepEqual(elsewhere.mmsIds, []);
      assert.match(elsewhere.log[0]!.message, /is in zone 01OTHER_INST/);
      const gone = await match("001 to MMS ID", bib([{ tag: "001", value: "9999999999991001" }]));
      assert.deepEqual(gone.mmsIds, []);
      const oclc = await match("001 to MMS ID", bib([{ tag: "001", value: "ocm00012345" }]));
      assert.deepEqual(oclc.mmsIds, []);
      assert.equal(oclc.log[0]!.message, "001 ocm00012345 is not an MMS ID: no match");
    });

    test("Title and author: near titles match, other authors, years and types do not", async () => {
      const professor = await store(
        bib([
          date("1999"),
          data("100", "1 ", "aBrontë, Charlotte,", "d1816-1855."),
          data("245", "14", "aThe Professor :", "ba tale /", "cby Charlotte Brontë."),
        ]),
      );
      await store(
        bib([date("1999"), data("100", "1 ", "aSmith, Ann."), data("245", "10", "aGardens.")]),
      );
      // A typo, another article, no $c: still the same book.
      const typo = await match(
        "Title and author",
        bib([
          date("1999"),
          data("100", "1 ", "aBronte, Charlotte."),
          data("245", "10", "aProfesor :", "ba tale."),
        ]),
      );
      assert.deepEqual(typo.mmsIds, [professor]);
      const decided = typo.log.find((e) => e.data?.["mmsId"] === professor);
      assert.equal(decided?.data?.["match"], true);
      // A year away: Title and author's tolerance finds it, the validation holds it (the next
      // year's issue of a law or a yearbook is another resource).
      const nextYear = await match(
        "Title and author",
        bib([
          date("2000"),
          data("100", "1 ", "aBronte, Charlotte."),
          data("245", "10", "aProfesor :", "ba tale."),
        ]),
      );
      assert.deepEqual(nextYear.mmsIds, []);
      assert.deepEqual(
        nextYear.held.map((h) => [h.mmsId, h.differs]),
        [[professor, ["008 date 2000 ≠ 1999"]]],
      );
      // The same title by another author.
      const author = await match(
        "Title and author",
        bib([
          date("1999"),
          data("100", "1 ", "aJones, Mary."),
          data("245", "14", "aThe professor : a tale"),
        ]),
      );
      assert.deepEqual(author.mmsIds, []);
      assert.match(author.log.at(-1)!.message, /does not match: author below 0\.8/);
      // Years more than one apart.
      const later = await match(
        "Title and author",
        bib([
          date("2005"),
          data("100", "1 ", "aBrontë, Charlotte."),
          data("245", "14", "aThe professor :", "ba tale."),
        ]),
      );
      assert.deepEqual(later.mmsIds, []);
      // Another type of record (a sound recording of the same title).
      const sound = await match(
        "Title and author",
        bib(
          [
            date("1999"),
            data("100", "1 ", "aBrontë, Charlotte."),
            data("245", "14", "aThe professor :", "ba tale."),
          ],
          {
            type: "i",
          },
        ),
      );
      assert.deepEqual(sound.mmsIds, []);
      // A different title.
      const different = await match(
        "Title and author",
        bib([
          date("1999"),
          data("100", "1 ", "aBrontë, Charlotte."),
          data("245", "10", "aVillette."),
        ]),
      );
      assert.deepEqual(different.mmsIds, []);
      const untitled = await match("Title and author", bib([data("100", "1 ", "aNobody.")]));
      assert.match(untitled.log[0]!.message, /^the record has no title/);
    });

    test("similarity: the documented normalization and figures", () => {
      assert.equal(diceSimilarity("professor a tale", "professor a tale"), 1);
      assert.ok(Math.abs(diceSimilarity("foo bar", "bar foo") - 4 / 6) < 1e-9);
      assert.equal(diceSimilarity("", "abc"), 0);
      const a = titleAuthorParts(bib([data("245", "14", "aThe Professor")]))!;
      assert.deepEqual(a, {
        title: "professor",
        author: "",
        year: "",
        years: [],
        type: "a",
        serial: false,
        isbns: [],
        issns: [],
      });
      const b = titleAuthorParts(
        bib([data("100", "1 ", "aBrontë, C."), data("245", "10", "aProfessor")]),
      )!;
      // One record without a main entry: the author is not compared.
      const verdict = compareTitleAuthor(a, b);
      assert.equal(verdict.match, true);
      assert.equal(verdict.author, undefined);
      // Both with ISBNs, none shared: another edition, whatever the title says.
      const hardback = titleAuthorParts(
        bib([data("020", "  ", "a9780060128005"), data("245", "10", "aProfessor")]),
      )!;
      const paperback = titleAuthorParts(
        bib([data("020", "  ", "a0060128011 (pbk.)"), data("245", "10", "aProfessor")]),
      )!;
      assert.deepEqual(hardback.isbns, ["9780060128005"]);
      const editions = compareTitleAuthor(hardback, paperback);
      assert.equal(editions.match, false);
      assert.match(editions.why, /^both have ISBNs \(020\/022 \$a\) and share none/);
      // A reprint (008/06 r) is compared by its original date too.
      const reprint = titleAuthorParts(
        bib([
          { tag: "008", value: "930823r20011993nyu           000 0 eng d" },
          data("245", "10", "aProfessor"),
        ]),
      )!;
      assert.deepEqual(reprint.years, ["2001", "1993"]);
      const original = titleAuthorParts(bib([date("1993"), data("245", "10", "aProfessor")]))!;
      assert.equal(compareTitleAuthor(original, reprint).match, true);
      const later = titleAuthorParts(bib([date("1997"), data("245", "10", "aProfessor")]))!;
      assert.match(
        compareTitleAuthor(later, reprint).why,
        /^years 1997 and 2001\/1993 differ by more than 1/,
      );
      // One of them without an ISBN: the title decides.
      assert.equal(compareTitleAuthor(hardback, a).match, true);
    });

    test("Multi-step: steps in order; the first that finds anything decides", async () => {
      const byIsbn = await store(
        bib([data("020", "  ", "a9781234567897"), data("245", "10", "aSteps.")]),
      );
      const byTitle = await store(bib([data("245", "10", "aSteps.")]));
      const incoming = bib([data("020", "  ", "a9781234567897"), data("245", "10", "aSteps.")]);
      const isbnFirst = await match("Multi-step", incoming, [
        "Unique OCLC Identifier",
        "ISBN/ISSN",
        "Title and author",
      ]);
      assert.deepEqual(isbnFirst.mmsIds, [byIsbn]);
      assert.equal(isbnFirst.method, "Multi-step");
      assert.deepEqual(
        isbnFirst.log.filter((e) => e.data?.["stepMethod"] !== undefined).map((e) => e.message),
        [
          "step 1 (Unique OCLC Identifier) found nothing",
          "step 2 (ISBN/ISSN) found 1 record(s); steps 3–3 not run",
        ],
      );
      assert.ok(isbnFirst.log.every((e) => !String(e.message).startsWith("step 3")));
      const titleFirst = await match("Multi-step", incoming, ["Title and author", "ISBN/ISSN"]);
      assert.deepEqual(new Set(titleFirst.mmsIds), new Set([byIsbn, byTitle]));
      const nothing = await match("Multi-step", bib([data("245", "10", "aNowhere at all.")]), [
        "ISBN/ISSN",
        "Title and author",
      ]);
      assert.deepEqual(nothing.mmsIds, []);
      assert.deepEqual(nothing.tried.length, 1);
    });

    test("routing: leader/07 s and i take the serial method, the rest the non-serial one", () => {
      const p = profile({
        serialMatchMethod: "ISBN/ISSN",
        nonSerialMatchMethod: "Multi-step",
        nonSerialMatchSteps: ["Unique OCLC Identifier", "Title and author"],
      });
      for (const level of ["s", "i"]) {
        const chosen = chooseMatchMethod(bib([], { level }), p);
        assert.equal(chosen.method, "ISBN/ISSN", level);
        assert.equal(chosen.serial, true);
      }
      for (const level of ["m", "a", "b", "c", "d", "M"]) {
        const chosen = chooseMatchMethod(bib([], { level }), p);
        assert.equal(chosen.method, "Multi-step", level);
        assert.deepEqual(chosen.steps, ["Unique OCLC Identifier", "Title and author"]);
      }
      assert.equal(
        chooseMatchMethod(bib([], { level: "m" }), p).log.message,
        "leader/07 is 'm': non-serial match method Multi-step: Unique OCLC Identifier → Title and author",
      );
    });

    test("claims: the keys the method compares, compared kinds sharing a word", () => {
      const record = bib([
        data("019", "  ", "a77"),
        data("020", "  ", "a9780060128005"),
        data("035", "  ", "a(OCoLC)76"),
        data("245", "10", "aClaimed."),
      ]);
      assert.deepEqual(matchClaims({ method: "Unique OCLC Identifier" }, record), [
        "oclc:76",
        "oclc:77",
      ]);
      assert.deepEqual(
        matchClaims({ method: "Multi-step", steps: ["ISBN/ISSN", "Title and author"] }, record),
        ["isbn:9780060128005", "title:claimed"],
      );
    });

    test("through decide: routing picks the method; several matches are held, nothing written", async () => {
      const importer = new Importer(catalog);
      const job = await catalog.startJob({
        institution: institution.code,
        source: "test",
        description: "m",
      });
      const serialA = await store(
        bib([data("022", "  ", "a1050-124X"), data("245", "10", "aSerial A.")], { level: "s" }),
      );
      const serialB = await store(
        bib([data("022", "  ", "a1050-124X"), data("245", "10", "aSerial B.")], { level: "s" }),
      );
      const settings = { serialMatchMethod: "ISBN/ISSN", nonSerialMatchMethod: "Title and author" };
      const incomingSerial = bib(
        [data("022", "  ", "a1050124x"), data("245", "10", "aSerial A.")],
        {
          level: "s",
        },
      );
      const held = await importer.import({
        raw: writeIso2709(incomingSerial),
        institution,
        profile: profile(settings),
        jobId: job.id,
        savedBy: "test",
      });
      assert.equal(held.decision.outcome, "review");
      assert.equal(held.decision.reasonCode, "several-matches");
      assert.deepEqual(held.decision.candidates, [serialA, serialB]);
      assert.equal(
        held.decision.reason,
        `2 records match ISSN 1050-124X (${serialA}, ${serialB}); nothing was changed`,
      );
      assert.equal((await catalog.record(serialA))!.version, 1);
      // The same record as a book (leader/07 m) takes Title and author: one record, merged.
      const book = {
        ...incomingSerial,
        leader: incomingSerial.leader.slice(0, 7) + "m" + incomingSerial.leader.slice(8),
      };
      const storedBook = await store(bib([data("245", "10", "aSerial A.")]));
      const merged = await importer.import({
        raw: writeIso2709(book),
        institution,
        profile: profile(settings),
        jobId: job.id,
        savedBy: "test",
      });
      assert.equal(merged.decision.outcome, "merged");
      assert.equal(merged.decision.mmsId, storedBook);
      assert.ok(
        merged.decision.log.some(
          (e) => e.message === "leader/07 is 'm': non-serial match method Title and author",
        ),
      );
    });
  });

describe("profile: match settings", () => {
  test("Alma's spellings are accepted and stored as marcgate's names", () => {
    const p = profile({
      serialMatchMethod: "Unique OCLC Identifier Match Method",
      nonSerialMatchMethod: "Multi Step Match Method",
      nonSerialMatchSteps: ["001 To MMS_ID Match Method", "ISBN Match Method"],
    });
    assert.equal(p.serialMatchMethod, "Unique OCLC Identifier");
    assert.equal(p.nonSerialMatchMethod, "Multi-step");
    assert.deepEqual(p.nonSerialMatchSteps, ["001 to MMS ID", "ISBN/ISSN"]);
  });

  test("every bad value is named", () => {
    const parsed = parseProfile({
      code: "X",
      serialMatchMethod: "Multi-step",
      nonSerialMatchMethod: "ISBN/ISSN",
      nonSerialMatchSteps: ["ISBN/ISSN"],
    });
    assert.ok("errors" in parsed);
    assert.deepEqual(parsed.errors, [
      {
        key: "serialMatchSteps",
        message: 'is required when serialMatchMethod is "Multi-step": the methods to try, in order',
      },
      {
        key: "nonSerialMatchSteps",
        message: 'is only used when nonSerialMatchMethod is "Multi-step", not "ISBN/ISSN"',
      },
    ]);
    const steps = parseProfile({
      code: "X",
      serialMatchMethod: "Multi-step",
      serialMatchSteps: ["ISBN/ISSN", "Fuzzy", "Multi-step", "ISBN Match Method", 7],
    });
    assert.ok("errors" in steps);
    assert.equal(steps.errors.length, 1);
    assert.equal(steps.errors[0]!.key, "serialMatchSteps");
    assert.match(
      steps.errors[0]!.message,
      /^step 2: "Fuzzy" is not a match method; step 3: "Multi-step" cannot be a step of itself; step 4: "ISBN\/ISSN" is listed twice; step 5: 7 is not a match method; the steps are "Unique OCLC Identifier", /,
    );
    for (const bad of [[], "ISBN/ISSN", {}]) {
      const p = parseProfile({ code: "X", serialMatchMethod: "Multi-step", serialMatchSteps: bad });
      assert.ok("errors" in p);
      assert.match(p.errors[0]!.message, /^must be a non-empty list of match methods/);
    }
    // A default method (left out) is not Multi-step: steps are refused.
    const orphan = parseProfile({ code: "X", nonSerialMatchSteps: ["ISBN/ISSN"] });
    assert.ok("errors" in orphan);
    assert.match(orphan.errors[0]!.message, /not "Unique OCLC Identifier"$/);
  });
});
