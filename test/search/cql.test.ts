/**
 * The CQL parser against Debian's CQL::Parser (libcql-parser-perl, CQL 1.1-level) for the core
 * grammar — both must accept or both refuse, and accepted queries give the same tree — and
 * hand-written expectations for what CQL::Parser does not know (sortBy, boolean modifiers,
 * CQL 2.0) and for the mapping to catalog searches.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { cqlToString, parseCql, type CqlQuery } from "../../src/search/cql.js";
import { cqlSearch } from "../../src/search/cql-search.js";

const here = dirname(fileURLToPath(import.meta.url));
const ORACLE = resolve(here, "../../../test/search/cql-oracle.pl");

const CORE = [
  "dinosaur",
  '"complete dinosaur"',
  "title = dinosaur",
  'title = "complete dinosaur"',
  "dc.title=dinosaur",
  "dc.title <> dinosaur",
  "dc.date >= 1990",
  "dc.date<1990",
  "dc.date <= 1990",
  "dc.date > 1990",
  "title any dinosaur",
  'title any "dinosaur bird reptile"',
  'title all "complete dinosaur"',
  "title exact dinosaur",
  "title any/relevant dinosaur",
  "title any/relevant/fuzzy dinosaur",
  "dinosaur and bird",
  "dinosaur or bird",
  "dinosaur not bird",
  "dinosaur AND bird OR reptile",
  "dinosaur and (bird or reptile)",
  "(dinosaur and bird) or reptile",
  "((a))",
  "(a or b) not (c and d)",
  "a and b and c and d",
  "dc.creator = smith and dc.title = history not dc.subject = war",
  'cql.serverChoice = "a b"',
  "alma.main_pub_date>=1500 and alma.main_pub_date<=1600",
  'alma.title = "Kind of blue"',
  "bath.isbn = 9780306406157",
  "hist*",
  'title = "hist* of jazz"',
  '"a \\"quoted\\" word"',
  "and",
  '"and" and "or"',
  "title = and",
  '> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title = x',
  "> dc = x dc.title = y and z",
  "a and",
  "and a",
  "(a",
  "a)",
  "title =",
  "= a",
  '"unclosed',
  "a b",
  "title any",
  "a or or b",
  "()",
  "title = a / b",
];

function oracle(queries: readonly string[]): string[] {
  const run = spawnSync("perl", [ORACLE], { input: queries.join("\n") + "\n", encoding: "utf8" });
  if (run.status !== 0) throw new Error(`CQL::Parser oracle failed: ${run.stderr}`);
  return run.stdout.trimEnd().split("\n");
}

test("the CQL parser agrees with CQL::Parser on the core grammar (accepts, refuses, trees)", () => {
  const expected = oracle(CORE);
  assert.equal(expected.length, CORE.length);
  const disagreements: string[] = [];
  CORE.forEach((query, i) => {
    const parsed = parseCql(query);
    const ours = "query" in parsed ? cqlToString(parsed.query.root) : "ERR";
    if (ours !== expected[i])
      disagreements.push(`${query}\n  ours:       ${ours}\n  CQL::Parser: ${expected[i]}`);
  });
  assert.deepEqual(disagreements, []);
  // Both sides refuse some: the comparison is not only of accepted queries.
  assert.ok(expected.filter((e) => e === "ERR").length >= 8);
});

function parsed(text: string): CqlQuery {
  const result = parseCql(text);
  if ("error" in result) assert.fail(`${text}: ${result.error.message}`);
  return result.query;
}

test("sortBy (CQL 1.2/2.0): keys with modifiers, after the whole query only", () => {
  const q = parsed(
    "dc.title = jazz and dc.creator = davis sortBy dc.date/sort.descending dc.title",
  );
  assert.equal(cqlToString(q.root), '(and (dc.title = "jazz") (dc.creator = "davis"))');
  assert.deepEqual(q.sortKeys, [
    { index: "dc.date", modifiers: [{ name: "sort.descending" }], position: 47 },
    { index: "dc.title", modifiers: [], position: 71 },
  ]);
  assert.deepEqual(
    parsed("jazz SORTBY title/sort.ascending/sort.ignoreCase").sortKeys[0]!.modifiers,
    [{ name: "sort.ascending" }, { name: "sort.ignoreCase" }],
  );
  const nested = parseCql("(a sortBy title) and b");
  assert.ok("error" in nested && /sortBy belongs at the end/.test(nested.error.message));
  const empty = parseCql("a sortBy");
  assert.ok("error" in empty && empty.error.position === 9);
});

test("CQL 1.2 relations that CQL::Parser (1.1) does not know: == and adj", () => {
  assert.equal(cqlToString(parsed("dc.title==dinosaur").root), '(dc.title == "dinosaur")');
  assert.equal(cqlToString(parsed('title adj "kind of blue"').root), '(title adj "kind of blue")');
});

test("boolean and relation modifiers with values (CQL 1.2/2.0)", () => {
  const q = parsed("a and/rel.combine=sum b prox/unit=word/distance>3 c");
  assert.equal(
    cqlToString(q.root),
    '(prox/unit=word/distance>3 (and/rel.combine=sum (cql.serverChoice = "a") (cql.serverChoice = "b")) (cql.serverChoice = "c"))',
  );
  assert.equal(
    cqlToString(parsed('title =/rel.algorithm=cori "x"').root),
    '(title =/rel.algorithm=cori "x")',
  );
});

test("errors name what is wrong and the character where", () => {
  const cases: [string, RegExp, number][] = [
    ["title = ", /search term expected after "title =", not the end/, 9],
    ['dc.title = "open', /quoted term is not closed/, 12],
    ["a and (b or c", /"\)" expected/, 14],
    ["a ) b", /unexpected "\)"/, 3],
    ["", /empty/, 1],
    ["(".repeat(65) + "a" + ")".repeat(65), /nest deeper than 64/, 65],
    [
      Array.from({ length: 102 }, (_, i) => `w${i}`).join(" and "),
      /more than 100 boolean operators/,
      796,
    ],
    ["a".repeat(10_001), /longer than 10000 characters/, 10_001],
  ];
  for (const [text, message, position] of cases) {
    const r = parseCql(text);
    assert.ok("error" in r, text);
    assert.match(r.error.message, message, text);
    assert.equal(r.error.position, position, text);
  }
});

test("CQL to catalog searches: indexes and aliases, relations, truncation, sort", () => {
  const search = (text: string) => {
    const r = cqlSearch(text);
    if ("diagnostic" in r) assert.fail(`${text}: ${r.diagnostic.message}`);
    return r.search;
  };
  assert.deepEqual(search('alma.title = "Kind of Blue"').node, {
    kind: "words",
    index: "title",
    words: ["kind", "of", "blue"].map((text) => ({ text, prefix: false })),
    phrase: false,
  });
  assert.deepEqual(search('dc.title adj "kind of blue"').node.kind, "words");
  assert.equal((search('dc.title adj "kind of blue"').node as { phrase: boolean }).phrase, true);
  assert.deepEqual(search("hist*").node, {
    kind: "words",
    index: "keyword",
    words: [{ text: "hist", prefix: true }],
    phrase: false,
  });
  assert.deepEqual(search("alma.isbn = 0-306-40615-2").node, {
    kind: "identifier",
    index: "isbn",
    value: "0-306-40615-2",
  });
  assert.deepEqual(search("alma.oclc_control_number_035_a = ocm00000777").node.kind, "identifier");
  assert.deepEqual(search("rec.identifier = 991234").node, {
    kind: "identifier",
    index: "mmsId",
    value: "991234",
  });
  assert.deepEqual(search("alma.main_pub_date>=1500 and alma.main_pub_date<=1600").node, {
    kind: "and",
    left: { kind: "date", relation: ">=", year: 1500 },
    right: { kind: "date", relation: "<=", year: 1600 },
  });
  assert.equal(search('title any "jazz blues"').node.kind, "or");
  assert.deepEqual(search("jazz sortBy dc.date/sort.ascending").sort, {
    key: "date",
    descending: false,
  });
  assert.deepEqual(search("jazz sortBy alma.title").sort, { key: "title" });
  assert.deepEqual(
    search('> d = "info:srw/cql-context-set/1/dc-v1.1" d.title = x').node.kind,
    "words",
  );
  assert.deepEqual(search("cql.allRecords = 1").node, { kind: "all" });
});

test("what the catalog cannot do is an SRU diagnostic with its number and place", () => {
  const refused = (text: string) => {
    const r = cqlSearch(text);
    if (!("diagnostic" in r)) assert.fail(`${text} was accepted`);
    return r.diagnostic;
  };
  assert.deepEqual(refused("dc.nothing = x"), {
    code: 16,
    message: "Unsupported index",
    details: "dc.nothing",
    position: 1,
  });
  assert.equal(refused("a and dc.title < x").code, 19);
  assert.equal(refused("a and dc.title < x").position, 7);
  assert.equal(refused("title =/fuzzy x").code, 20);
  assert.equal(refused("*ist").code, 49);
  assert.equal(refused("h?st").code, 28);
  assert.equal(refused("^jazz").code, 31);
  assert.equal(refused('title = ""').code, 27);
  assert.equal(refused("a prox b").code, 39);
  assert.equal(refused("a and/rel.combine=sum b").code, 46);
  assert.equal(refused("dc.date = last").code, 36);
  assert.equal(refused("a sortBy dc.subject").code, 80);
  const syntax = refused("title = (");
  assert.equal(syntax.code, 10);
  assert.equal(syntax.position, 9);
});
