import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { normalizeSearchText, searchDocument } from "../../src/catalog/search-text.js";
import { book } from "./suite.js";

test("search normalization folds case, diacritics, ligature forms and punctuation", () => {
  assert.equal(normalizeSearchText("Zürich: Œuvres — ﬁn, ÉTÉ!"), "zurich œuvres fin ete");
  assert.equal(normalizeSearchText("  --  "), "");
});

test("romanization's modifier letters are dropped inside words: ayn, alif, soft and hard signs", () => {
  assert.equal(normalizeSearchText("ʻAm ʻoved"), "am oved");
  assert.equal(normalizeSearchText("Qurʼān"), "quran");
  assert.equal(normalizeSearchText("al-Qurʾān al-karīm"), "al quran al karim");
  assert.equal(normalizeSearchText("Shiʿr"), "shir");
  assert.equal(normalizeSearchText("Obʺedinenie Rusʹ"), "obedinenie rus");
  // The ASCII apostrophe stays a separator (French elision: l'homme finds homme).
  assert.equal(normalizeSearchText("L'homme"), "l homme");
});

test("the search document separates title, author and subject, and keeps display forms", () => {
  const doc = searchDocument(
    book({
      title: "Café society /",
      author: "Müller, Anna,",
      subject: "Coffee houses",
      date: "1987",
    }),
  );
  assert.equal(doc.title, "cafe society");
  assert.equal(doc.author, "muller anna");
  assert.equal(doc.subject, "coffee houses");
  assert.equal(doc.displayTitle, "Café society");
  assert.equal(doc.displayAuthor, "Müller, Anna");
  assert.equal(doc.date, "1987");
  assert.equal(doc.keyword, "", "title, author and subject words are not repeated in the rest");
});

test("an 880 counts for the field it stands for", () => {
  const doc = searchDocument({
    leader: "00000nam a2200000 i 4500",
    fields: [
      {
        tag: "880",
        ind1: "1",
        ind2: "0",
        subfields: [
          { code: "6", value: "245-01" },
          { code: "a", value: "中国" },
        ],
      },
    ],
  });
  assert.equal(doc.title, "中国");
});

test("the fast normalization equals NFKD, marks removed, lower case, non-words as one space", () => {
  const reference = (text: string): string =>
    text
      .replace(/[\u02b9-\u02c1]+/gu, "")
      .normalize("NFKD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  fc.assert(
    fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (text) => {
      assert.equal(normalizeSearchText(text), reference(text));
    }),
    { numRuns: 2000 },
  );
  for (const text of [
    "Œuvres ½ ﬁn",
    "İstanbul",
    "Ångström",
    "ß",
    "Ǆemal",
    "한국어",
    "x\u0301y",
    "𠀋 ext-B",
    "AΣ",
    "ΟΔΥΣΣΕΥΣ",
    "AϹ",
  ]) {
    assert.equal(normalizeSearchText(text), reference(text), text);
  }
});
