/**
 * The validation stage after candidate search: each check of `resource-checks.ts` on records
 * built in code (same, differs, absent; decisive or not), the verdicts of `validate.ts`
 * (identity or evidence), and the session-laws case through the importer: one year's laws and
 * the next, same title and author, two OCLC numbers, must not be merged.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { openCatalog } from "../../src/catalog/open.js";
import { Importer } from "../../src/import/importer.js";
import { compareResources, type ResourceCheck } from "../../src/import/match/resource-checks.js";
import { validateCandidate } from "../../src/import/match/validate.js";
import { parseProfile } from "../../src/import/profile.js";
import { writeIso2709 } from "../../src/marc/iso2709.js";
import type { DataField, Field, MarcRecord } from "../../src/marc/record.js";
import { data } from "../connexion/_fixture.js";

/** A book: 008 with its date (and type, form of item, language), title, the fields given. */
function book(
  fields: Field[],
  options: { date?: string; type?: string; form?: string; leader?: string } = {},
): MarcRecord {
  const form = options.form ?? " ";
  const fixed = `260101${options.type ?? "s"}${options.date ?? "2019"}    nyu     ${form}     000 0 eng d`;
  return {
    leader: options.leader ?? "00000cam a2200000 a 4500",
    fields: [{ tag: "008", value: fixed }, data("245", "10", "aSession laws."), ...fields],
  };
}

/** The point of one check. */
function check(a: MarcRecord, b: MarcRecord, name: ResourceCheck) {
  const p = compareResources(a, b).find((x) => x.check === name);
  assert.ok(p, name);
  return p;
}

describe("resource checks", () => {
  test("the 008 sits where the checks read it", () => {
    const fixed = book([], { form: "o" }).fields[0] as { value: string };
    assert.equal(fixed.value.length, 40);
    assert.equal(fixed.value.charAt(23), "o");
    assert.equal(fixed.value.slice(35, 38), "eng");
  });

  test("OCLC numbers: shared, cancelled in favour of the other, two numbers (decisive)", () => {
    const a = book([data("035", "  ", "a(OCoLC)ocm00000123")]);
    assert.equal(check(a, book([data("035", "  ", "a(OCoLC)123")]), "oclc-number").result, "same");
    const merged = check(
      a,
      book([data("035", "  ", "a(OCoLC)456"), data("019", "  ", "a123")]),
      "oclc-number",
    );
    assert.equal(merged.result, "same");
    const two = check(a, book([data("035", "  ", "a(OCoLC)456")]), "oclc-number");
    assert.equal(two.result, "differs");
    assert.equal(two.decisive, true);
    assert.equal(check(a, book([]), "oclc-number").result, "absent");
  });

  test("system numbers of one source: 035 and SID; a difference is a doubt, not decisive", () => {
    const a = book([data("035", "  ", "a(DLC) 2001012345"), data("SID", "  ", "c111", "bhelme")]);
    assert.equal(
      check(a, book([data("035", "  ", "a(DLC)2001012345")]), "system-number").result,
      "same",
    );
    const sid = check(a, book([data("SID", "  ", "c222", "bhelme")]), "system-number");
    assert.equal(sid.result, "differs");
    assert.equal(sid.decisive, undefined);
    assert.equal(
      check(a, book([data("035", "  ", "a(CaOTULAS)9")]), "system-number").result,
      "absent",
    );
  });

  test("dates: a year apart differs; u digits are unknown; a prepublication record may be a year off", () => {
    assert.equal(
      check(book([], { date: "2019" }), book([], { date: "2020" }), "dates").text,
      "008 date 2019 ≠ 2020",
    );
    assert.equal(
      check(book([], { date: "19uu" }), book([], { date: "1995" }), "dates").result,
      "same", // some year of the 1990s does not disagree with 1995
    );
    assert.equal(
      check(book([], { date: "1995" }), book([], { date: "1995" }), "dates").result,
      "same",
    );
    const cip = book([], { date: "2020", leader: "00000cam a22000008a 4500" });
    assert.notEqual(check(cip, book([], { date: "2019" }), "dates").result, "differs");
    assert.equal(check(cip, book([], { date: "2018" }), "dates").result, "differs");
    const reprint = check(book([], { type: "r" }), book([], { type: "s" }), "dates");
    assert.match(reprint.text, /a reprint and its original/);
  });

  test("form of item, 007, 337/338 and the medium: print, online, microfiche, DVD and Blu-ray", () => {
    const print = book([]);
    const online = book(
      [{ tag: "007", value: "cr |||||||||||" }, data("338", "  ", "aonline resource", "bcr")],
      { form: "o" },
    );
    assert.equal(check(print, online, "form-of-item").result, "differs");
    assert.equal(check(print, online, "medium").text, "medium tangible ≠ electronic");
    // Online named only in 338 still differs from a print record that names no carrier.
    const onlyRda = book([data("338", "  ", "aonline resource", "bcr")], { form: "|" });
    assert.equal(check(book([], { form: "|" }), onlyRda, "medium").result, "differs");
    const dvd = book([{ tag: "007", value: "vd cvaizq" }]);
    const bluray = book([{ tag: "007", value: "vd csaizq" }]);
    assert.equal(check(dvd, bluray, "physical-description").result, "differs");
    assert.equal(check(dvd, dvd, "physical-description").result, "same");
    assert.equal(check(book([], { form: "^" }), print, "form-of-item").result, "absent");
  });

  test("ISBN: shared; none shared; only the set ISBN shared; paperback and hardback of one ISBN", () => {
    const a = book([data("020", "  ", "a0-306-40615-2 (pbk.)")]);
    assert.equal(check(a, book([data("020", "  ", "a9780306406157")]), "isbn").result, "same");
    assert.equal(check(a, book([data("020", "  ", "a9781566199094")]), "isbn").result, "differs");
    const v1 = book([
      data("020", "  ", "a9780306406157", "qv. 1"),
      data("020", "  ", "a9781566199094", "qset"),
    ]);
    const v2 = book([
      data("020", "  ", "a9780940016736", "qv. 2"),
      data("020", "  ", "a9781566199094", "qset"),
    ]);
    assert.match(check(v1, v2, "isbn").text, /^shares only the set ISBN 9781566199094/);
    // Neither has an ISBN in $a: the cancelled ones they share agree, and never differ.
    const z = (v: string) => book([data("020", "  ", `z${v}`)]);
    assert.equal(check(z("9780306406157"), z("9780306406157"), "isbn").result, "same");
    assert.equal(check(z("9780306406157"), z("9781566199094"), "isbn").result, "absent");
    const hard = book([data("020", "  ", "a0306406152", "qhardcover")]);
    assert.equal(check(a, hard, "isbn").text, "ISBN 9780306406157 qualified paperback ≠ hardback");
  });

  test("245 $n $p, 250, 300, 773, 024, 028, language", () => {
    const part = (n: string): MarcRecord => ({
      ...book([]),
      fields: [book([]).fields[0]!, data("245", "10", "aLaws.", `n${n}`)],
    });
    assert.equal(check(part("Part 1"), part("pt. 1"), "part").result, "same");
    assert.equal(check(part("v. 1"), part("v. 2"), "part").result, "differs");
    assert.equal(
      check(
        book([data("250", "  ", "a2nd ed.")]),
        book([data("250", "  ", "aSecond edition.")]),
        "edition",
      ).result,
      "same",
    );
    assert.equal(
      check(book([data("250", "  ", "a3rd ed.")]), book([]), "edition").result,
      "differs",
    );
    assert.equal(
      check(
        book([data("300", "  ", "axii, 345 p.")]),
        book([data("300", "  ", "a347 p.")]),
        "extent",
      ).result,
      "same",
    );
    assert.equal(
      check(book([data("300", "  ", "a3 v.")]), book([data("300", "  ", "a2 v.")]), "extent")
        .result,
      "differs",
    );
    const component = check(
      book([data("773", "0 ", "tJournal", "w(OCoLC)1")]),
      book([]),
      "host-item",
    );
    assert.equal(component.decisive, true);
    assert.equal(
      check(
        book([data("024", "1 ", "a012345678905")]),
        book([data("024", "1 ", "a012345678912")]),
        "standard-id",
      ).result,
      "differs",
    );
    assert.equal(
      check(
        book([data("028", "01", "bF", "a123")]),
        book([data("028", "01", "aF-123")]),
        "publisher-number",
      ).result,
      "same",
    );
    assert.equal(
      check(
        book([data("028", "01", "bFOO", "a123")]),
        book([data("028", "01", "a123", "bBAR")]),
        "publisher-number",
      ).result,
      "differs",
    );
    const fin = book([]);
    const finnish = {
      ...fin,
      fields: [
        { tag: "008", value: (fin.fields[0] as { value: string }).value.replace("eng", "fin") },
        ...fin.fields.slice(1),
      ],
    };
    assert.equal(check(fin, finnish, "language").result, "differs");
  });
});

describe("validateCandidate", () => {
  const oclc = (n: string): DataField => data("035", "  ", `a(OCoLC)${n}`);

  test("identity: one OCLC number; what else differs is an edit, and it matches", () => {
    const v = validateCandidate(
      book([oclc("7")], { date: "1813" }),
      "99001",
      book([oclc("7")], { date: "1814" }),
    );
    assert.equal(v.verdict, "match");
    assert.equal(v.identity, "shares OCLC number 7");
    assert.deepEqual(v.differs, ["008 date 1813 ≠ 1814"]);
  });

  test("identity with a decisive difference (a book and a film of one system number): held", () => {
    const film = { ...book([data("035", "  ", "a(DLC)5")]), leader: "00000cgm a2200000 a 4500" };
    assert.equal(
      validateCandidate(book([data("035", "  ", "a(DLC)5")]), "99001", film).verdict,
      "held",
    );
  });

  test("001 = the candidate's MMS ID is identity", () => {
    const incoming = {
      ...book([], { date: "2020" }),
      fields: [{ tag: "001", value: "99001" }, ...book([], { date: "2020" }).fields],
    };
    assert.equal(validateCandidate(incoming, "99001", book([])).verdict, "match");
  });

  test("evidence: nothing differs → match; a doubt → held; a decisive difference → another resource", () => {
    const isbn = data("020", "  ", "a9780306406157");
    assert.equal(validateCandidate(book([isbn]), "99001", book([isbn])).verdict, "match");
    const held = validateCandidate(
      book([isbn], { date: "1814" }),
      "99001",
      book([isbn], { date: "1813" }),
    );
    assert.equal(held.verdict, "held");
    assert.deepEqual(held.differs, ["008 date 1814 ≠ 1813"]);
    assert.equal(
      validateCandidate(book([isbn, oclc("1")]), "99001", book([isbn, oclc("2")])).verdict,
      "another resource",
    );
  });
});

describe("the session laws: the importer with Multi-step (OCLC, ISBN/ISSN, Title and author)", () => {
  test("one year's laws and the next (two OCLC numbers) are two records; an untouched re-send matches its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), "marcgate-laws-"));
    const opened = await openCatalog({ data: dir });
    assert.ok(opened.catalog);
    const catalog = opened.catalog;
    try {
      const institution = await catalog.addInstitution({ code: "01LAWS", name: "Laws" });
      const { id: jobId } = await catalog.startJob({
        institution: institution.code,
        source: "test",
        description: "t",
      });
      const parsed = parseProfile({
        code: "CONNEXION",
        nonSerialMatchMethod: "Multi-step",
        nonSerialMatchSteps: ["Unique OCLC Identifier", "ISBN/ISSN", "Title and author"],
      });
      assert.ok("input" in parsed);
      const importer = new Importer(catalog);
      const laws = (oclcNumber: string, year: string, copy: string): MarcRecord => ({
        leader: "00000cam a2200000 a 4500",
        fields: [
          { tag: "001", value: `ocm${oclcNumber}` },
          { tag: "003", value: "OCoLC" },
          { tag: "008", value: `260101s${year}    mau           000 0 eng d` },
          data("110", "1 ", "aMassachusetts."),
          data("245", "10", "aActs and resolves passed by the General Court."),
          data("260", "  ", "aBoston :", "bSecretary of the Commonwealth,", `c${year}.`),
          data("999", "  ", `a${copy}`),
        ],
      });
      const send = (marc: MarcRecord) =>
        importer.import({
          raw: writeIso2709(marc),
          institution,
          profile: parsed.input.profile,
          jobId,
          savedBy: "test",
        });
      const first = await send(laws("12345678", "2019", "no.1"));
      const second = await send(laws("12345679", "2020", "no.2"));
      assert.equal(first.decision.outcome, "created");
      assert.equal(second.decision.outcome, "created", second.decision.reason);
      assert.notEqual(first.mmsId, second.mmsId);
      const log = second.decision.log.map((e) => e.message).join("\n");
      assert.match(log, /another resource, not a match .*OCLC number 12345679 ≠ 12345678/);
      const again = await send(laws("12345679", "2020", "no.2"));
      assert.equal(again.mmsId, second.mmsId);
      assert.notEqual(again.decision.outcome, "created");
    } finally {
      await catalog.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
