import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import type { Condition, Rule, RuleError } from "../../src/rules/ast.js";
import {
  formatRuleError,
  parseControlSpec,
  parseFieldSpec,
  MAX_CONDITION_NESTING,
  MAX_CONDITION_PARTS,
  parseRules,
  parseValuePattern,
} from "../../src/rules/parser.js";

/** A copy without `at` (positions are tested on their own). */
function bare(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(bare);
  if (x !== null && typeof x === "object") {
    return Object.fromEntries(
      Object.entries(x)
        .filter(([k]) => k !== "at")
        .map(([k, v]) => [k, bare(v)]),
    );
  }
  return x;
}

/** The one rule of a text that must parse. */
function one(text: string): Rule {
  const file = parseRules(text);
  assert.deepEqual(file.errors, []);
  assert.equal(file.rules.length, 1);
  return file.rules[0]!;
}

/** The actions of `lines` in a normalization rule (`when TRUE`), the first on line 4. */
function actions(...lines: string[]): unknown {
  return bare(one(`rule "r"\nwhen TRUE\nthen\n${lines.join("\n")}\nend\n`).actions);
}

/** The actions of `lines` in a merge rule. */
function mergeActions(...lines: string[]): unknown {
  return bare(one(`rule "m"\nwhen merge\nthen\n${lines.join("\n")}\nend\n`).actions);
}

/** The condition of `when …`, shown with explicit parentheses. */
function when(condition: string): string {
  return show(one(`rule "r" when ${condition} then end`).when as Condition);
}

function show(c: Condition): string {
  switch (c.kind) {
    case "true":
      return "TRUE";
    case "not":
      return `NOT ${show(c.operand)}`;
    case "and":
    case "or":
      return `(${show(c.left)} ${c.kind.toUpperCase()} ${show(c.right)})`;
    case "exists":
    case "existsControl":
      return `${c.kind} ${c.spec.source}`;
  }
}

/** The one error of a text. */
function error(text: string): RuleError {
  const file = parseRules(text);
  assert.equal(file.errors.length, 1, JSON.stringify(file.errors));
  return file.errors[0]!;
}

/** The one error of `lines` as the actions of a normalization rule (first on line 4). */
function actionError(...lines: string[]): RuleError {
  return error(`rule "r"\nwhen TRUE\nthen\n${lines.join("\n")}\nend\n`);
}

function mergeError(...lines: string[]): RuleError {
  return error(`rule "m"\nwhen merge\nthen\n${lines.join("\n")}\nend\n`);
}

function at(line: number, column: number): { line: number; column: number } {
  return { line, column };
}

// ---------------------------------------------------------------- rules

describe("rules", () => {
  test("a rule: name, priority 0, index, when, actions, and where it starts", () => {
    const rule = one('\n  rule "drop 029"\nwhen\n  TRUE\nthen\n  removeField "029"\nend\n');
    assert.equal(rule.name, "drop 029");
    assert.equal(rule.priority, 0);
    assert.equal(rule.index, 0);
    assert.deepEqual(rule.at, at(2, 3));
    assert.deepEqual(rule.when, { kind: "true", at: at(4, 3) });
    assert.deepEqual(rule.actions, [
      {
        kind: "removeField",
        target: { source: "029", tag: "029", at: at(6, 15) },
        at: at(6, 3),
      },
    ]);
  });

  test("priority N and salience N are the same; negative values too", () => {
    assert.equal(one('rule "a" priority 10 when TRUE then end').priority, 10);
    assert.equal(one('rule "a"\n\nsalience 500\nwhen TRUE then end').priority, 500);
    assert.equal(one('rule "a" salience -1 when TRUE then end').priority, -1);
  });

  test("rules keep their order; index counts the rules that parsed", () => {
    const file = parseRules(
      'rule "a" when TRUE then end\nrule "bad" when then end\nrule "c" when TRUE then end\n',
    );
    assert.deepEqual(
      file.rules.map((r) => [r.name, r.index]),
      [
        ["a", 0],
        ["c", 1],
      ],
    );
  });

  test("a rule may have no actions", () => {
    assert.deepEqual(one('rule "nothing" when TRUE then end').actions, []);
  });

  test("keywords are case-insensitive", () => {
    const rule = one('RULE "r" PRIORITY 2 When True Then RemoveField "500" END');
    assert.equal(rule.priority, 2);
    assert.equal(rule.actions[0]!.kind, "removeField");
  });

  test("action names are case-insensitive: AddSubfield, addcontrolField, ReplaceControlContents", () => {
    const parsed = actions(
      'AddSubfield "695.d.Doctorate"',
      'addcontrolField "003.MH"',
      'ReplaceControlContents "LDR.{5,1}" with "n"',
      'ReplaceContents "500.a.x" with "y"',
    ) as { kind: string }[];
    assert.deepEqual(
      parsed.map((a) => a.kind),
      ["addSubField", "addControlField", "replaceControlContents", "replaceContents"],
    );
  });

  test("names and values keep Unicode", () => {
    const rule = one('rule "Überprüfung 日本 𝔘" when TRUE then addField "500.a.Ünïcödé 𝔘𝔫" end');
    assert.equal(rule.name, "Überprüfung 日本 𝔘");
    assert.equal((rule.actions[0] as { value: string }).value, "Ünïcödé 𝔘𝔫");
  });

  test("a rule name may hold rule, Rule, pipes and quotes-free punctuation", () => {
    assert.equal(one('rule "597|c|Gift" when TRUE then end').name, "597|c|Gift");
    assert.equal(
      one('rule "Rule for External Resources; rule 2" when merge then end').name,
      "Rule for External Resources; rule 2",
    );
  });
});

// ---------------------------------------------------------------- comments and line ends

describe("comments and line ends", () => {
  test("comments in odd places: after the name, inside a condition, between and after actions", () => {
    const rule = one(
      [
        "# source: a file",
        'rule "r" # after the name',
        "// before when",
        "when // after when",
        '   (exists "852.b.NET") // between operands',
        "#",
        '   or (exists "852.c.NET")',
        "then # after then",
        '     replaceControlContents "008.{6,2}" with "1z" # after an action',
        '     //replaceControlContents "008.{20,2}" with "aa"',
        "// before end",
        "end # after end",
        '//rule "2. commented out"',
        "//end",
      ].join("\n"),
    );
    assert.equal(show(rule.when as Condition), "(exists 852.b.NET OR exists 852.c.NET)");
    assert.equal(rule.actions.length, 1);
  });

  test("a comment at the end of a file without a newline", () => {
    assert.equal(one('rule "r" when TRUE then end // last').name, "r");
  });

  test("# in a string is text", () => {
    assert.deepEqual(actions('replaceControlContents "LDR.{17,1}.I" with "#"'), [
      {
        kind: "replaceControlContents",
        target: {
          source: "LDR.{17,1}.I",
          tag: "LDR",
          position: 17,
          length: 1,
          value: { source: "I", alternatives: [["I"]] },
        },
        with: "#",
      },
    ]);
  });

  test("a CRLF file gives the same rules, positions included, as its LF copy", () => {
    const lf = 'rule "r"\npriority 5\nwhen\n  (TRUE)\nthen\n  removeField "029" # x\nend\n';
    assert.deepEqual(parseRules(lf.replaceAll("\n", "\r\n")), parseRules(lf));
    assert.deepEqual(parseRules(lf).rules[0]!.actions[0]!.at, at(6, 3));
  });
});

// ---------------------------------------------------------------- conditions

describe("conditions", () => {
  test("TRUE, true and (TRUE)", () => {
    assert.equal(when("TRUE"), "TRUE");
    assert.equal(when("true"), "TRUE");
    assert.equal(when("(TRUE)"), "TRUE");
  });

  test("exists and existsControl, with and without parentheses", () => {
    assert.equal(when('exists "024.a.flex-*"'), "exists 024.a.flex-*");
    assert.equal(when('(existsControl "LDR.{17,1}.u")'), "existsControl LDR.{17,1}.u");
  });

  test("not exists, NOT (exists …), not existsControl", () => {
    assert.equal(when('not exists "954.a.*"'), "NOT exists 954.a.*");
    assert.equal(when('NOT (exists "245.a.*")'), "NOT exists 245.a.*");
    assert.equal(when('(not existsControl "008")'), "NOT existsControl 008");
    assert.equal(when('not (exists "843")'), "NOT exists 843");
  });

  test("AND binds tighter than OR", () => {
    assert.equal(
      when('(exists "a00") OR (exists "b00") AND (exists "c00")'),
      "(exists a00 OR (exists b00 AND exists c00))",
    );
    assert.equal(
      when('(exists "a00") and (exists "b00") or (exists "c00")'),
      "((exists a00 AND exists b00) OR exists c00)",
    );
  });

  test("NOT binds tighter than AND: NOT a AND NOT b", () => {
    assert.equal(
      when('NOT (exists "245.a.*")  AND NOT  (exists "245.k.*")'),
      "(NOT exists 245.a.* AND NOT exists 245.k.*)",
    );
  });

  test("AND and OR group to the left", () => {
    assert.equal(
      when('(exists "a00") AND (exists "b00") AND (exists "c00")'),
      "((exists a00 AND exists b00) AND exists c00)",
    );
  });

  test("Harvard's Brief 02: (sparse) AND NOT OCLC OR 011 is (sparse AND NOT OCLC) OR 011", () => {
    assert.equal(
      when(
        '((NOT (exists "260.a.*")) OR (existsControl "008.{06,1}. "))\n    AND NOT  (exists "035.a.(OCoLC)*")\n    OR (exists "011.a.*")',
      ),
      "(((NOT exists 260.a.* OR existsControl 008.{06,1}. ) AND NOT exists 035.a.(OCoLC)*) OR exists 011.a.*)",
    );
  });

  test("any nesting of parentheses, across lines", () => {
    assert.equal(
      when(
        '((existsControl "LDR.{7,1}.s") AND (existsControl "LDR.{17,1}.1|2")) OR\n ((existsControl "LDR.{7,1}.s") AND (existsControl "LDR.{17,1}. |7")\nAND NOT ((exists "010.a.*") AND (exists "042.a.*")))',
      ),
      "((existsControl LDR.{7,1}.s AND existsControl LDR.{17,1}.1|2) OR ((existsControl LDR.{7,1}.s AND existsControl LDR.{17,1}. |7) AND NOT (exists 010.a.* AND exists 042.a.*)))",
    );
  });

  test("positions: a condition starts where its first token does", () => {
    const c = one('rule "r"\nwhen\n  not (exists "650") or TRUE\nthen end').when;
    assert.deepEqual(c, {
      kind: "or",
      left: {
        kind: "not",
        operand: {
          kind: "exists",
          spec: { source: "650", tag: "650", at: at(3, 15) },
          at: at(3, 8),
        },
        at: at(3, 3),
      },
      right: { kind: "true", at: at(3, 25) },
      at: at(3, 3),
    });
  });

  test("when merge", () => {
    assert.deepEqual(one('rule "m"\n  when\n\t merge\n  then\nend').when, {
      kind: "merge",
      at: at(3, 3),
    });
  });
});

// ---------------------------------------------------------------- specs

describe("parseFieldSpec", () => {
  test("a tag alone, with * wildcards, and scratch tags", () => {
    assert.deepEqual(bare(parseFieldSpec("6**").spec), { source: "6**", tag: "6**" });
    assert.deepEqual(bare(parseFieldSpec("YLK").spec), { source: "YLK", tag: "YLK" });
  });

  test("indicators: literal, * any, - blank, a blank written as a space", () => {
    assert.deepEqual(bare(parseFieldSpec("977.{9,*}").spec), {
      source: "977.{9,*}",
      tag: "977",
      ind1: "9",
      ind2: "*",
    });
    assert.deepEqual(bare(parseFieldSpec("650.{-,7}.x.y").spec), {
      source: "650.{-,7}.x.y",
      tag: "650",
      ind1: " ",
      ind2: "7",
      code: "x",
      value: { source: "y", alternatives: [["y"]] },
    });
    assert.equal(parseFieldSpec("561.{ ,*}").spec?.ind1, " ");
  });

  test("a code, and * for any code", () => {
    assert.equal(parseFieldSpec("035.a").spec?.code, "a");
    assert.equal(parseFieldSpec("035.*.(OCoLC)o*").spec?.code, "*");
  });

  test("the value is the rest of the text, dots and all", () => {
    const spec = parseFieldSpec("541.9.A NOTE. Private notes.").spec;
    assert.equal(spec?.value?.source, "A NOTE. Private notes.");
    assert.deepEqual(spec?.value?.alternatives, [["A NOTE. Private notes."]]);
    assert.deepEqual(parseFieldSpec("690.a..").spec?.value?.alternatives, [["."]]);
    assert.deepEqual(parseFieldSpec("2**.5.*.").spec?.value?.alternatives, [["", "."]]);
  });

  test("an escaped dot (\\\\. after the string escapes) is a literal dot", () => {
    assert.deepEqual(parseFieldSpec("650.a.Indian slaves\\\\.").spec?.value, {
      source: "Indian slaves\\\\.",
      alternatives: [["Indian slaves."]],
    });
  });

  test("an empty value after the last dot is an empty value", () => {
    assert.deepEqual(parseFieldSpec("035.a.").spec?.value?.alternatives, [[""]]);
  });

  test("the position given is the spec's position", () => {
    assert.deepEqual(parseFieldSpec("245", at(7, 9)).spec?.at, at(7, 9));
    assert.deepEqual(parseFieldSpec("245").spec?.at, at(1, 1));
  });

  test("errors: tag, indicators, code", () => {
    const cases: [string, string][] = [
      ["65", 'expected a three-character tag at the start of "65", found "65"'],
      ["6500.a", 'expected a three-character tag at the start of "6500.a", found "6500"'],
      [
        "650.{*}.a",
        'expected indicators as {i1,i2} (one character each, "-" blank, "*" any) after "650." in "650.{*}.a"',
      ],
      ["650.{*,*}a", 'expected "." after the indicators in "650.{*,*}a", found "a"'],
      ["650.", 'expected a subfield code after "650."'],
      ["650.{1,2}.", 'expected a subfield code after "650.{1,2}."'],
      ["650.ab.x", 'expected a one-character subfield code in "650.ab.x", found "ab"'],
    ];
    for (const [text, message] of cases) {
      assert.deepEqual(parseFieldSpec(text, at(3, 4)), { error: { at: at(3, 4), message } }, text);
    }
  });
});

describe("parseControlSpec", () => {
  test("tag, {POS,LEN} and value: LDR.{17,1}.u and 008.{35,3}.eng", () => {
    assert.deepEqual(bare(parseControlSpec("LDR.{17,1}.u").spec), {
      source: "LDR.{17,1}.u",
      tag: "LDR",
      position: 17,
      length: 1,
      value: { source: "u", alternatives: [["u"]] },
    });
    assert.equal(parseControlSpec("008.{35,3}.eng").spec?.position, 35);
  });

  test("a blank value: LDR.{17,1}. (and four blanks: 008.{07,4}.    )", () => {
    assert.deepEqual(parseControlSpec("LDR.{17,1}. ").spec?.value?.alternatives, [[" "]]);
    assert.deepEqual(parseControlSpec("008.{07,4}.    ").spec?.value?.alternatives, [["    "]]);
  });

  test("leading zeros in positions: {06,1}", () => {
    assert.equal(parseControlSpec("LDR.{06,1}.b").spec?.position, 6);
  });

  test("alternation, and an escaped pipe as data", () => {
    assert.deepEqual(parseControlSpec("LDR.{17,1}. |7").spec?.value?.alternatives, [[" "], ["7"]]);
    assert.deepEqual(parseControlSpec("008.{06,1}.\\\\|").spec?.value?.alternatives, [["|"]]);
  });

  test("a tag alone, a range without a value, a value for the whole field", () => {
    assert.deepEqual(bare(parseControlSpec("008").spec), { source: "008", tag: "008" });
    assert.deepEqual(bare(parseControlSpec("LDR.{5,1}").spec), {
      source: "LDR.{5,1}",
      tag: "LDR",
      position: 5,
      length: 1,
    });
    assert.deepEqual(parseControlSpec("003.MH").spec?.value?.alternatives, [["MH"]]);
  });

  test("errors: tag, range, length", () => {
    const cases: [string, string][] = [
      ["00", 'expected "LDR" or a three-character control tag at the start of "00", found "00"'],
      ["00*", 'expected "LDR" or a three-character control tag at the start of "00*", found "00*"'],
      [
        "LDR.{17}.u",
        'expected {POSITION,LENGTH} (0-based position, length, in digits) after "LDR." in "LDR.{17}.u"',
      ],
      ["LDR.{17,0}.u", 'expected a length of at least 1 in "LDR.{17,0}.u", found 0'],
      ["LDR.{17,1}u", 'expected "." after "{17,1}" in "LDR.{17,1}u", found "u"'],
    ];
    for (const [text, message] of cases) {
      assert.deepEqual(
        parseControlSpec(text, at(2, 8)),
        { error: { at: at(2, 8), message } },
        text,
      );
    }
  });
});

describe("parseValuePattern", () => {
  test("| separates alternatives", () => {
    assert.deepEqual(
      parseValuePattern("Doctor of Philosophy|Professional Doctorate").alternatives,
      [["Doctor of Philosophy"], ["Professional Doctorate"]],
    );
  });

  test("* splits an alternative into pieces: a*, *a, *a*, * alone", () => {
    assert.deepEqual(parseValuePattern("a*").alternatives, [["a", ""]]);
    assert.deepEqual(parseValuePattern("* thesis").alternatives, [["", " thesis"]]);
    assert.deepEqual(parseValuePattern("*ebook*").alternatives, [["", "ebook", ""]]);
    assert.deepEqual(parseValuePattern("*").alternatives, [["", ""]]);
    assert.deepEqual(parseValuePattern("99*3941").alternatives, [["99", "3941"]]);
  });

  test("parentheses and other characters are literal", () => {
    assert.deepEqual(parseValuePattern("(OCoLC)*").alternatives, [["(OCoLC)", ""]]);
    assert.deepEqual(parseValuePattern("^").alternatives, [["^"]]);
  });

  test("one or more backslashes before . or | make it literal; elsewhere they are kept", () => {
    assert.deepEqual(parseValuePattern("a\\.b").alternatives, [["a.b"]]);
    assert.deepEqual(parseValuePattern("a\\\\.b").alternatives, [["a.b"]]);
    assert.deepEqual(parseValuePattern("x\\|y|z").alternatives, [["x|y"], ["z"]]);
    assert.deepEqual(parseValuePattern("C:\\dir\\").alternatives, [["C:\\dir\\"]]);
  });

  test("the source is kept as given", () => {
    assert.equal(parseValuePattern("Microfilm\\\\.").source, "Microfilm\\\\.");
  });
});

// ---------------------------------------------------------------- normalization actions

describe("normalization actions", () => {
  test("addField, with and without indicators (- blank), the value literal with dots", () => {
    assert.deepEqual(
      actions(
        'addField "998.{-,-}.a.NO-OVERLAY"',
        'addField "YYZ.{2,-}.a.USM Franco-American Collection,"',
        'addField "843.a.Microfiche\\\\\\\\."',
        'addField "040.a.ATTENTION !!! A NOTE. Another sentence." if (not exists "040.b.eng")',
        'addField "500.a.x*|y"',
      ),
      [
        { kind: "addField", tag: "998", ind1: " ", ind2: " ", code: "a", value: "NO-OVERLAY" },
        {
          kind: "addField",
          tag: "YYZ",
          ind1: "2",
          ind2: " ",
          code: "a",
          value: "USM Franco-American Collection,",
        },
        { kind: "addField", tag: "843", ind1: " ", ind2: " ", code: "a", value: "Microfiche." },
        {
          kind: "addField",
          tag: "040",
          ind1: " ",
          ind2: " ",
          code: "a",
          value: "ATTENTION !!! A NOTE. Another sentence.",
          if: {
            kind: "not",
            operand: {
              kind: "exists",
              spec: {
                source: "040.b.eng",
                tag: "040",
                code: "b",
                value: { source: "eng", alternatives: [["eng"]] },
              },
            },
          },
        },
        { kind: "addField", tag: "500", ind1: " ", ind2: " ", code: "a", value: "x*|y" },
      ],
    );
  });

  test("addSubField: the target field, the new code and value; an if on the field", () => {
    assert.deepEqual(
      actions('addSubField "150.w.nne" if (exists "150.{*,*}")', 'addSubField "650.{-,7}.2.local"'),
      [
        {
          kind: "addSubField",
          target: { source: "150.w.nne", tag: "150" },
          code: "w",
          value: "nne",
          if: { kind: "exists", spec: { source: "150.{*,*}", tag: "150", ind1: "*", ind2: "*" } },
        },
        {
          kind: "addSubField",
          target: { source: "650.{-,7}.2.local", tag: "650", ind1: " ", ind2: "7" },
          code: "2",
          value: "local",
        },
      ],
    );
  });

  test("addControlField: TAG.VALUE, the value literal (pipes and dots included)", () => {
    assert.deepEqual(
      actions(
        'addControlField "007.he |||   ||||"',
        'addcontrolField "008.660101s1966    xra||||fsm||||000#||eng|d"',
        'addControlField "003.M.H"',
      ),
      [
        { kind: "addControlField", tag: "007", value: "he |||   ||||" },
        { kind: "addControlField", tag: "008", value: "660101s1966    xra||||fsm||||000#||eng|d" },
        { kind: "addControlField", tag: "003", value: "M.H" },
      ],
    );
  });

  test("removeField: a tag, wildcards, a subfield spec; with an if", () => {
    assert.deepEqual(
      actions('removeField "90*"', 'removeField "035.a" if (exists "035.a.(OCoLC)")'),
      [
        { kind: "removeField", target: { source: "90*", tag: "90*" } },
        {
          kind: "removeField",
          target: { source: "035.a", tag: "035", code: "a" },
          if: {
            kind: "exists",
            spec: {
              source: "035.a.(OCoLC)",
              tag: "035",
              code: "a",
              value: { source: "(OCoLC)", alternatives: [["(OCoLC)"]] },
            },
          },
        },
      ],
    );
  });

  test('removeField with an if on a wildcard tag: removeField "2**" if (exists "2**.5.*.")', () => {
    const [a] = actions('removeField "2**" if (exists "2**.5.*." )') as { if: unknown }[];
    assert.deepEqual(a!.if, {
      kind: "exists",
      spec: {
        source: "2**.5.*.",
        tag: "2**",
        code: "5",
        value: { source: "*.", alternatives: [["", "."]] },
      },
    });
  });

  test("removeSubField and removeControlField", () => {
    assert.deepEqual(
      actions(
        'removeSubField "7**.w" if (exists "7**.w.(OCoLC)")',
        'removeControlField "001"',
        'removeControlField "007" if (existsControl "007.{0,1}.c")',
      ),
      [
        {
          kind: "removeSubField",
          target: { source: "7**.w", tag: "7**", code: "w" },
          if: {
            kind: "exists",
            spec: {
              source: "7**.w.(OCoLC)",
              tag: "7**",
              code: "w",
              value: { source: "(OCoLC)", alternatives: [["(OCoLC)"]] },
            },
          },
        },
        { kind: "removeControlField", target: { source: "001", tag: "001" } },
        {
          kind: "removeControlField",
          target: { source: "007", tag: "007" },
          if: {
            kind: "existsControl",
            spec: {
              source: "007.{0,1}.c",
              tag: "007",
              position: 0,
              length: 1,
              value: { source: "c", alternatives: [["c"]] },
            },
          },
        },
      ],
    );
  });

  test("changeField, changeSubField, changeSubFieldExceptFirst", () => {
    assert.deepEqual(
      actions(
        'changeField "440" to "830"',
        'changeSubField "949.u" to "c"',
        'changeSubFieldExceptFirst "900.a" to "x"',
      ),
      [
        { kind: "changeField", target: { source: "440", tag: "440" }, toTag: "830" },
        {
          kind: "changeSubField",
          target: { source: "949.u", tag: "949", code: "u" },
          toCode: "c",
        },
        {
          kind: "changeSubFieldExceptFirst",
          target: { source: "900.a", tag: "900", code: "a" },
          toCode: "x",
        },
      ],
    );
  });

  test('changeFirstIndicator and changeSecondIndicator (" " and - are blank)', () => {
    assert.deepEqual(
      actions(
        'changeFirstIndicator  "655" to " " if (exists "655.a")',
        'changeSecondIndicator "856" to "1"',
        'changeSecondIndicator "856" to "-"',
        'changeFirstIndicator "852" to "7" if (exists "852.{*,*}.2.Z*")',
      ),
      [
        {
          kind: "changeFirstIndicator",
          target: { source: "655", tag: "655" },
          to: " ",
          if: { kind: "exists", spec: { source: "655.a", tag: "655", code: "a" } },
        },
        { kind: "changeSecondIndicator", target: { source: "856", tag: "856" }, to: "1" },
        { kind: "changeSecondIndicator", target: { source: "856", tag: "856" }, to: " " },
        {
          kind: "changeFirstIndicator",
          target: { source: "852", tag: "852" },
          to: "7",
          if: {
            kind: "exists",
            spec: {
              source: "852.{*,*}.2.Z*",
              tag: "852",
              ind1: "*",
              ind2: "*",
              code: "2",
              value: { source: "Z*", alternatives: [["Z", ""]] },
            },
          },
        },
      ],
    );
  });

  test("copyField: a whole field to a tag, a subfield to a subfield; copyControlField", () => {
    assert.deepEqual(
      actions(
        'copyField "974" to "899"',
        'copyField "035.a" to "YLK.a"',
        'copyControlField "YLK.a" to "001"',
      ),
      [
        { kind: "copyField", source: { source: "974", tag: "974" }, toTag: "899" },
        {
          kind: "copyField",
          source: { source: "035.a", tag: "035", code: "a" },
          toTag: "YLK",
          toCode: "a",
        },
        {
          kind: "copyControlField",
          source: { source: "YLK.a", tag: "YLK", code: "a" },
          toTag: "001",
        },
      ],
    );
  });

  test("copyField with an if on the field it copies (no space before the parenthesis)", () => {
    const [a] = actions('copyField "541" to "997" if(exists "541.{1,*}")') as { if: unknown }[];
    assert.deepEqual(a!.if, {
      kind: "exists",
      spec: { source: "541.{1,*}", tag: "541", ind1: "1", ind2: "*" },
    });
  });

  test("replaceContents: literal substrings, wildcards, * for tag position and code", () => {
    assert.deepEqual(
      actions(
        'replaceContents "035.*.(OCoLC)0000000" with "(OCoLC)"',
        'replaceContents "974.b. *" with ""',
        'replaceContents "690.a.." with "" if (exists "690.a.Variable content.")',
        'replaceContentsExceptFirst "500.a" with "x"',
      ),
      [
        {
          kind: "replaceContents",
          target: {
            source: "035.*.(OCoLC)0000000",
            tag: "035",
            code: "*",
            value: { source: "(OCoLC)0000000", alternatives: [["(OCoLC)0000000"]] },
          },
          with: "(OCoLC)",
        },
        {
          kind: "replaceContents",
          target: {
            source: "974.b. *",
            tag: "974",
            code: "b",
            value: { source: " *", alternatives: [[" ", ""]] },
          },
          with: "",
        },
        {
          kind: "replaceContents",
          target: {
            source: "690.a..",
            tag: "690",
            code: "a",
            value: { source: ".", alternatives: [["."]] },
          },
          with: "",
          if: {
            kind: "exists",
            spec: {
              source: "690.a.Variable content.",
              tag: "690",
              code: "a",
              value: { source: "Variable content.", alternatives: [["Variable content."]] },
            },
          },
        },
        {
          kind: "replaceContentsExceptFirst",
          target: { source: "500.a", tag: "500", code: "a" },
          with: "x",
        },
      ],
    );
  });

  test("replaceSubFieldContents: TAG.CODE with TAG2.CODE2", () => {
    assert.deepEqual(actions('replaceSubFieldContents "899.a" with "974.b"'), [
      {
        kind: "replaceSubFieldContents",
        target: { source: "899.a", tag: "899", code: "a" },
        from: { source: "974.b", tag: "974", code: "b" },
      },
    ]);
  });

  test("replaceControlContents: with and without the old value; an if on the same field", () => {
    assert.deepEqual(
      actions(
        'replaceControlContents "LDR.{0,5}" with "00000"',
        'ReplaceControlContents "LDR.{5,1}" with "n" if(existsControl "LDR.{5,1}. ")',
      ),
      [
        {
          kind: "replaceControlContents",
          target: { source: "LDR.{0,5}", tag: "LDR", position: 0, length: 5 },
          with: "00000",
        },
        {
          kind: "replaceControlContents",
          target: { source: "LDR.{5,1}", tag: "LDR", position: 5, length: 1 },
          with: "n",
          if: {
            kind: "existsControl",
            spec: {
              source: "LDR.{5,1}. ",
              tag: "LDR",
              position: 5,
              length: 1,
              value: { source: " ", alternatives: [[" "]] },
            },
          },
        },
      ],
    );
  });

  test("prefix and suffix; \\u202B in both the text and the if", () => {
    assert.deepEqual(
      actions(
        'prefix "245.a" with "\\u202B" if (not exists "245.a.\\u202B*")',
        'suffix "993.*" with "." if (not exists "993.*.*.")',
      ),
      [
        {
          kind: "prefix",
          target: { source: "245.a", tag: "245", code: "a" },
          text: "\u202B",
          if: {
            kind: "not",
            operand: {
              kind: "exists",
              spec: {
                source: "245.a.\u202B*",
                tag: "245",
                code: "a",
                value: { source: "\u202B*", alternatives: [["\u202B", ""]] },
              },
            },
          },
        },
        {
          kind: "suffix",
          target: { source: "993.*", tag: "993", code: "*" },
          text: ".",
          if: {
            kind: "not",
            operand: {
              kind: "exists",
              spec: {
                source: "993.*.*.",
                tag: "993",
                code: "*",
                value: { source: "*.", alternatives: [["", "."]] },
              },
            },
          },
        },
      ],
    );
  });

  test("correctDuplicateFields, correctDuplicateSubfields, moveSubfieldsToEndOfField", () => {
    assert.deepEqual(
      actions(
        'correctDuplicateFields "610,630, 650"',
        'correctDuplicateSubfields "650" "a"',
        'moveSubfieldsToEndOfField "597" "c,a,d,9"',
      ),
      [
        { kind: "correctDuplicateFields", tags: ["610", "630", "650"] },
        { kind: "correctDuplicateSubfields", target: { source: "650", tag: "650" }, codes: "a" },
        {
          kind: "moveSubfieldsToEndOfField",
          target: { source: "597", tag: "597" },
          codes: ["c", "a", "d", "9"],
        },
      ],
    );
  });

  test("combineFields and splitSubField", () => {
    assert.deepEqual(
      actions('combineFields "900" excluding ""', 'splitSubField "776.w.(" to "TMP.a"'),
      [
        { kind: "combineFields", target: { source: "900", tag: "900" }, excluding: "" },
        {
          kind: "splitSubField",
          target: { source: "776.w.(", tag: "776", code: "w" },
          delimiter: "(",
          toTag: "TMP",
          toCode: "a",
        },
      ],
    );
  });

  test("set brief_level and set indication", () => {
    assert.deepEqual(actions('set brief_level."04"', 'set indication."true"'), [
      { kind: "set", variable: "brief_level", value: "04" },
      { kind: "set", variable: "indication", value: "true" },
    ]);
  });

  test("each action starts at its name; an if may follow on the same line", () => {
    const rule = one(
      'rule "r"\nwhen TRUE\nthen\n    removeField "856" if (exists "856.{4,2}")\n  set brief_level."09"\nend',
    );
    assert.deepEqual(
      rule.actions.map((a) => a.at),
      [at(4, 5), at(5, 3)],
    );
  });
});

// ---------------------------------------------------------------- merge actions

describe("merge actions", () => {
  const sel = (source: string, tag: string, more: object = {}): object => ({
    source,
    tag,
    control: false,
    ...more,
  });

  test("an empty merge rule", () => {
    assert.deepEqual(mergeActions(), []);
  });

  test('selectors: MARC."035", MARC."5"XX, MARC."59"X, MARC.XXX, MARC."LDR", MARC.control."008"', () => {
    assert.deepEqual(
      mergeActions(
        'replace MARC."001"',
        'remove MARC."0"XX',
        'add MARC."59"X',
        "replace MARC.XXX",
        'replace MARC."LDR"',
        'replace MARC.control."008"',
        'replace MARC.control."LDR"',
      ),
      [
        { kind: "replace", selector: sel('MARC."001"', "001"), guards: [], exclusions: [] },
        { kind: "remove", selector: sel('MARC."0"XX', "0XX"), guards: [], exclusions: [] },
        { kind: "add", selector: sel('MARC."59"X', "59X"), guards: [], exclusions: [] },
        { kind: "replace", selector: sel("MARC.XXX", "XXX"), guards: [], exclusions: [] },
        { kind: "replace", selector: sel('MARC."LDR"', "LDR"), guards: [], exclusions: [] },
        {
          kind: "replace",
          selector: { source: 'MARC.control."008"', tag: "008", control: true },
          guards: [],
          exclusions: [],
        },
        {
          kind: "replace",
          selector: { source: 'MARC.control."LDR"', tag: "LDR", control: true },
          guards: [],
          exclusions: [],
        },
      ],
    );
  });

  test('Harvard\'s MARC."580"X is kept as written: tag "580X"', () => {
    assert.deepEqual(mergeActions('remove MARC."580"X'), [
      { kind: "remove", selector: sel('MARC."580"X', "580X"), guards: [], exclusions: [] },
    ]);
  });

  test('indicator selectors: MARC."650"(" ","0") if does not exist', () => {
    assert.deepEqual(mergeActions('add MARC."650"(" ","0") if does not exist'), [
      {
        kind: "add",
        selector: sel('MARC."650"(" ","0")', "650", { ind1: " ", ind2: "0" }),
        guards: [{ kind: "exists", negated: true }],
        exclusions: [],
      },
    ]);
  });

  test("existence guards: if exists, if does not exists, if does not exist", () => {
    const guards = (
      mergeActions(
        'replace MARC."022" if exists',
        'add MARC."041" if does not exists',
        'add MARC."043" if does not exist',
      ) as { guards: unknown }[]
    ).map((a) => a.guards);
    assert.deepEqual(guards, [
      [{ kind: "exists", negated: false }],
      [{ kind: "exists", negated: true }],
      [{ kind: "exists", negated: true }],
    ]);
  });

  test('subfield guards: if exists subfield "5", if not exists subfield "5"', () => {
    const guards = (
      mergeActions(
        'remove MARC."500" if exists subfield "5"',
        'remove MARC."246" if not exists subfield "5"',
      ) as { guards: unknown }[]
    ).map((a) => a.guards);
    assert.deepEqual(guards, [
      [{ kind: "subfield", code: "5", negated: false }],
      [{ kind: "subfield", code: "5", negated: true }],
    ]);
  });

  test('exclusions: tag lists, a selector, "second indicator"', () => {
    const exclusions = (
      mergeActions(
        'remove MARC."0"XX excluding "001,035"',
        'add MARC."9"XX excluding "913,991,998"',
        'replace MARC.XXX excluding "001,035,501,533,540,590,9XX"',
        'add MARC."246" excluding second indicator "8"',
        'add MARC."246" excluding first indicator "-"',
      ) as { exclusions: unknown }[]
    ).map((a) => a.exclusions);
    assert.deepEqual(exclusions, [
      [{ kind: "tags", tags: ["001", "035"] }],
      [{ kind: "tags", tags: ["913", "991", "998"] }],
      [{ kind: "tags", tags: ["001", "035", "501", "533", "540", "590", "9XX"] }],
      [{ kind: "indicator", which: 2, value: "8" }],
      [{ kind: "indicator", which: 1, value: " " }],
    ]);
  });

  test("when … contains, with a selector exclusion after it (UMich)", () => {
    assert.deepEqual(
      mergeActions(
        'replace MARC."035" when MARC."035"."a" contains "OCoLC" excluding MARC."035"("9"," ")',
      ),
      [
        {
          kind: "replace",
          selector: sel('MARC."035"', "035"),
          guards: [
            {
              kind: "contains",
              selector: sel('MARC."035"', "035"),
              code: "a",
              value: { source: "OCoLC", alternatives: [["OCoLC"]] },
              negated: false,
            },
          ],
          exclusions: [
            {
              kind: "selector",
              selector: sel('MARC."035"("9"," ")', "035", { ind1: "9", ind2: " " }),
            },
          ],
        },
      ],
    );
  });

  test('when … does not contain; contains "a*"', () => {
    const guards = (
      mergeActions(
        'replace MARC."084" when MARC."084"."2" does not contain "rvk"',
        'add MARC."246" when MARC."246"."5" contains "a*"',
      ) as { guards: { negated: boolean; value: unknown }[] }[]
    ).map((a) => a.guards[0]!);
    assert.deepEqual(
      guards.map((g) => [g.negated, g.value]),
      [
        [true, { source: "rvk", alternatives: [["rvk"]] }],
        [false, { source: "a*", alternatives: [["a", ""]] }],
      ],
    );
  });

  test("positions: the action at its verb, the selector at MARC", () => {
    const rule = one('rule "m"\nwhen merge\nthen\n   add MARC."9"XX excluding "998"\nend');
    const a = rule.actions[0] as { at: unknown; selector: { at: unknown } };
    assert.deepEqual(a.at, at(4, 4));
    assert.deepEqual(a.selector.at, at(4, 8));
  });
});

// ---------------------------------------------------------------- errors

describe("errors", () => {
  test('expected "then" after the condition', () => {
    assert.deepEqual(error('rule "r"\nwhen\n  exists "650"\n  addField "500.a.x"\nend\n'), {
      at: at(4, 3),
      message: 'expected "then" after the condition, found "addField"',
    });
  });

  test('expected "rule" at the top of a file', () => {
    assert.deepEqual(error('package x\nrule "r" when TRUE then end'), {
      at: at(1, 1),
      message: 'expected "rule" to start a rule, found "package"',
    });
  });

  test("the rule name must be quoted", () => {
    assert.deepEqual(error("rule brief when TRUE then end"), {
      at: at(1, 6),
      message: 'expected the rule name in quotes after "rule", found "brief"',
    });
  });

  // Issue 18: a library's production file was refused; Alma accepts such names.
  test("a rule name's backslash escapes are resolved, as in every string", () => {
    const file = parseRules('rule "Call no. \\"LC\\" a\\\\b" when TRUE then end');
    assert.deepEqual(file.errors, []);
    assert.equal(file.rules[0]!.name, 'Call no. "LC" a\\b');
  });

  // Issue 18: 5,000 nested parentheses overflowed the stack (HTTP 500 on "Try rules").
  test("conditions nest at most MAX_CONDITION_NESTING deep", () => {
    const deep = (n: number): string =>
      `rule "r" when ${"(".repeat(n)}TRUE${")".repeat(n)} then end`;
    assert.deepEqual(parseRules(deep(MAX_CONDITION_NESTING)).errors, []);
    assert.deepEqual(error(deep(5_000)), {
      at: at(1, 15 + MAX_CONDITION_NESTING),
      message: 'a condition may nest "(" and "not" at most 64 deep',
    });
    assert.deepEqual(error(`rule "r" when ${"not ".repeat(100)}TRUE then end`), {
      at: at(1, 15 + 4 * MAX_CONDITION_NESTING),
      message: 'a condition may nest "(" and "not" at most 64 deep',
    });
  });

  test("a condition has at most MAX_CONDITION_PARTS parts", () => {
    const chain = (n: number): string =>
      `rule "r" when ${Array.from({ length: n }, () => "TRUE").join(" and ")} then end`;
    assert.deepEqual(parseRules(chain(MAX_CONDITION_PARTS)).errors, []);
    assert.deepEqual(error(chain(50_000)), {
      at: at(1, 15 + 9 * MAX_CONDITION_PARTS),
      message: "a condition may have at most 1,000 parts",
    });
  });

  test("priority needs a whole number, and is given once", () => {
    assert.deepEqual(error('rule "r" priority high when TRUE then end'), {
      at: at(1, 19),
      message: 'expected a whole number after "priority", found "high"',
    });
    assert.deepEqual(error('rule "r" priority 1 salience 2 when TRUE then end'), {
      at: at(1, 21),
      message: '"salience" given twice; a rule has one priority',
    });
  });

  test('expected "when" after the rule name or the priority', () => {
    assert.equal(
      error('rule "r" then end').message,
      'expected "when" after the rule name, found "then"',
    );
    assert.equal(
      error('rule "r" priority 3 TRUE then end').message,
      'expected "when" after the priority, found "TRUE"',
    );
  });

  test("an empty condition", () => {
    assert.deepEqual(error('rule "r"\nwhen\nthen\nend'), {
      at: at(3, 1),
      message: 'expected a condition or "merge" after "when", found "then"',
    });
  });

  test("a condition that is not one", () => {
    assert.deepEqual(error('rule "r" when existsMoreThanOnce "650" then end'), {
      at: at(1, 15),
      message:
        'expected a condition (exists, existsControl, not, TRUE or "("), found "existsMoreThanOnce"',
    });
  });

  test("an unclosed parenthesis names the one it closes", () => {
    assert.deepEqual(error('rule "r"\nwhen ((exists "650")\nthen end'), {
      at: at(3, 1),
      message: 'expected ")" to close the "(" of line 2, column 6, found "then"',
    });
  });

  test("exists needs a quoted spec", () => {
    assert.deepEqual(error('rule "r" when exists 650 then end'), {
      at: at(1, 22),
      message: 'expected a quoted spec after "exists", found "650"',
    });
  });

  test("a bad spec is reported at its string", () => {
    assert.deepEqual(error('rule "r"\nwhen (exists "24.a")\nthen end'), {
      at: at(2, 14),
      message: 'expected a three-character tag at the start of "24.a", found "24"',
    });
  });

  test("merge needs then", () => {
    assert.equal(
      error('rule "m" when merge add MARC."245" end').message,
      'expected "then" after "merge", found "add"',
    );
  });

  test("an unknown action names the nearest known one", () => {
    assert.deepEqual(actionError('  addFeild "500.a.x"'), {
      at: at(4, 3),
      message: 'unknown action "addFeild"; the nearest known action is "addField"',
    });
    assert.equal(
      actionError('removeSubfields "500.a"').message,
      'unknown action "removeSubfields"; the nearest known action is "removeSubField"',
    );
    assert.equal(
      actionError('changeControlField "008" to "x"').message,
      'unknown action "changeControlField"; the nearest known action is "addControlField"',
    );
  });

  test("an action must be a word", () => {
    assert.deepEqual(actionError('"500.a"'), {
      at: at(4, 1),
      message: 'expected an action or "end", found the string "500.a"',
    });
  });

  test('a missing "end" before the next rule: one error, and the next rule parses', () => {
    const file = parseRules(
      'rule "a"\nwhen TRUE\nthen\n  removeField "029"\nrule "b"\nwhen TRUE\nthen\nend\n',
    );
    assert.deepEqual(file.errors, [
      { at: at(5, 1), message: 'expected "end" to close rule "a", found "rule"' },
    ]);
    assert.deepEqual(
      file.rules.map((r) => r.name),
      ["b"],
    );
  });

  test('a missing "end" at the end of the file', () => {
    assert.deepEqual(error('rule "a"\nwhen TRUE\nthen\n  removeField "029"\n'), {
      at: at(5, 1),
      message: 'expected "end" to close rule "a", found the end of the file',
    });
  });

  test("a merge action in a normalization rule, and the other way round", () => {
    assert.deepEqual(actionError('add MARC."245"'), {
      at: at(4, 1),
      message: '"add" is a merge action; it belongs in a rule with "when merge"',
    });
    assert.deepEqual(mergeError('removeField "245"'), {
      at: at(4, 1),
      message:
        '"removeField" does not belong in a merge rule ("when merge"), which takes add, remove and replace',
    });
    assert.equal(
      mergeError('set brief_level."01"').message,
      '"set" does not belong in a merge rule ("when merge"), which takes add, remove and replace',
    );
  });

  test('an action\'s "if" needs parentheses', () => {
    assert.deepEqual(actionError('removeField "650" if exists "650.{*,4}"'), {
      at: at(4, 22),
      message: 'expected "(" after "if", found "exists"',
    });
  });

  test('an action\'s "if" may test only the field it works on (the KC example)', () => {
    assert.deepEqual(actionError('addSubField "040.b.ita" if (existsControl "008.{35,3}.ita")'), {
      at: at(4, 43),
      message:
        'the "if" of addSubField can only test the field it works on ("040"), not "008"; a test of another field belongs in "when"',
    });
  });

  test("an if on a wildcard tag may test a tag it covers", () => {
    assert.equal((actions('removeField "6**" if (exists "650.{*,4}")') as unknown[]).length, 1);
  });

  test("set: the variable, the brief level, the indication, no if", () => {
    assert.deepEqual(actionError('set level."01"'), {
      at: at(4, 5),
      message: 'expected brief_level or indication after "set", found "level"',
    });
    assert.deepEqual(actionError('set brief_level."11"'), {
      at: at(4, 17),
      message: 'expected a brief level from "01" to "10", found the string "11"',
    });
    assert.equal(
      actionError('set indication."yes"').message,
      'expected "true" or "false", found the string "yes"',
    );
    assert.deepEqual(actionError('set brief_level."01" if (exists "245")'), {
      at: at(4, 22),
      message: '"set" takes no "if"; test in "when"',
    });
  });

  test("argument shapes of normalization actions", () => {
    const cases: [string, string][] = [
      ['addField "245"', 'addField needs "TAG.CODE.VALUE", found "245"'],
      ['addField "245.a"', 'addField needs "TAG.CODE.VALUE", found "245.a"'],
      ['addField "6**.a.x"', 'addField needs a tag without "*", found "6**.a.x"'],
      ['addField "650.{*,0}.a.x"', 'addField needs indicators without "*", found "650.{*,0}.a.x"'],
      ['addSubField "650.*.x"', 'addSubField needs a subfield code, not "*", found "650.*.x"'],
      ['addControlField "007"', 'addControlField needs "TAG.VALUE", found "007"'],
      [
        'removeControlField "007.{0,1}.c"',
        'removeControlField takes a control tag ("007"), found "007.{0,1}.c"',
      ],
      ['removeSubField "500"', 'removeSubField needs a subfield code ("TAG.CODE"), found "500"'],
      ['changeField "440" "830"', 'expected "to" after changeField "440", found the string "830"'],
      [
        'changeField "440" to "8*0"',
        'changeField needs a three-character tag without "*" after "to", found "8*0"',
      ],
      [
        'changeSubField "949.u" to "cd"',
        'changeSubField needs one subfield code after "to", found "cd"',
      ],
      [
        'changeFirstIndicator "852" to "10"',
        'changeFirstIndicator needs one indicator character after "to" (" " or "-" for blank), found "10"',
      ],
      [
        'copyField "035.a" to "959"',
        'copyField of a subfield needs a tag and a subfield code after "to" ("TAG.CODE"), found "959"',
      ],
      [
        'copyField "035" to "959.a"',
        'copyField of a whole field needs a tag after "to" ("TAG"), found "959.a"',
      ],
      [
        'replaceContents "500.a.x" to "y"',
        'expected "with" after replaceContents "500.a.x", found "to"',
      ],
      ['replaceContents "500.a.x" with y', 'expected a quoted text after "with", found "y"'],
      [
        'replaceSubFieldContents "899.a" with "974"',
        'replaceSubFieldContents needs "TAG.CODE" after "with", found "974"',
      ],
      [
        'replaceControlContents "LDR" with "x"',
        'replaceControlContents needs "TAG.{POS,LEN}[.OLD]", found "LDR"',
      ],
      ['prefix "993" with "x"', 'prefix needs a subfield code ("TAG.CODE"), found "993"'],
      [
        'correctDuplicateFields "610;630"',
        'correctDuplicateFields needs tags separated by commas ("610,630,650"), found "610;630"',
      ],
      [
        'correctDuplicateSubfields "650"',
        'expected the quoted subfield codes after correctDuplicateSubfields "650", found "end"',
      ],
      [
        'moveSubfieldsToEndOfField "597" "ca"',
        'moveSubfieldsToEndOfField needs subfield codes separated by commas ("c,a,d"), found "ca"',
      ],
      ['combineFields "900"', 'expected "excluding" after combineFields "900", found "end"'],
      [
        'splitSubField "776.w" to "TMP.a"',
        'splitSubField needs "TAG.CODE.DELIMITER", found "776.w"',
      ],
      [
        'splitSubField "776.w.(" to "TMP"',
        'splitSubField needs "TAG.CODE" after "to", found "TMP"',
      ],
      ["removeField 245", 'expected a quoted spec after removeField, found "245"'],
    ];
    for (const [line, message] of cases) {
      assert.equal(actionError(line).message, message, line);
    }
  });

  test("argument errors point at the offending string", () => {
    assert.deepEqual(actionError('  changeField "440" to "8*0"').at, at(4, 24));
  });

  test("argument shapes of merge actions", () => {
    const cases: [string, string][] = [
      ['add "245"', 'expected MARC."TAG" after "add", found the string "245"'],
      ['add MARC "245"', 'expected "." after "MARC", found the string "245"'],
      ["add MARC.foo", 'expected a quoted tag, XXX or control after "MARC.", found "foo"'],
      [
        'add MARC."5"',
        'expected a tag of three digits or X ("035", "5"XX, "59"X) or "LDR", found "5"',
      ],
      ['add MARC.control."245"', 'expected "LDR" or a control tag, found "245"'],
      ['add MARC."650"(" ")', 'expected "," between the two indicators, found ")"'],
      ['add MARC."650"("  ","0")', 'expected one indicator character, found "  "'],
      [
        'add MARC."041" if maybe',
        'expected "exists", "does not exist" or "not exists" after "if", found "maybe"',
      ],
      ['add MARC."041" if does exists', 'expected "not" after "does", found "exists"'],
      ['add MARC."041" if exists subfield "ab"', 'expected one subfield code, found "ab"'],
      [
        'add MARC."035" when MARC."035"."a" has "x"',
        'expected "contains" or "does not contain" after MARC."035"."a", found "has"',
      ],
      [
        'add MARC."035" when MARC."035" contains "x"',
        'expected "." and a quoted subfield code after MARC."035", found "contains"',
      ],
      [
        'add MARC."035" excluding "35"',
        'expected tags of three digits or X separated by commas ("001,035,9XX"), found "35"',
      ],
      [
        'add MARC."035" excluding third',
        'expected quoted tags, MARC."TAG", "first indicator" or "second indicator" after "excluding", found "third"',
      ],
      [
        'add MARC."246" excluding second "8"',
        'expected "indicator" after "second", found the string "8"',
      ],
    ];
    for (const [line, message] of cases) {
      assert.equal(mergeError(line).message, message, line);
    }
  });

  test("a scanner error is the rule's error, in its place", () => {
    assert.deepEqual(error('rule "r"\nwhen TRUE\nthen\n  removeField "029\nend\n'), {
      at: at(4, 15),
      message: 'expected a closing quote (") before the end of the line',
    });
    assert.deepEqual(error('rule "r" when TRUE then removeField "029"; end'), {
      at: at(1, 42),
      message:
        'unexpected character ";": a rule file holds words, "quoted strings", numbers, ( ) , . and comments',
    });
  });

  test("one bad rule gives one error, however many problems it has, and parsing goes on", () => {
    const file = parseRules(
      [
        'rule "good 1" when TRUE then removeField "029" end',
        'rule "bad" when exists "24" then addFeild "x" ; "unclosed',
        '  removeField "x" rule "not at the start of a line"',
        "end",
        'rule "good 2" when merge then add MARC."245" end',
        'rule "bad 2"',
        "when TRUE then",
        "  changeField 245 to 830",
        "end",
        'rule "good 3" when TRUE then end',
      ].join("\n"),
    );
    assert.deepEqual(file.errors, [
      {
        at: at(2, 24),
        message: 'expected a three-character tag at the start of "24", found "24"',
      },
      { at: at(8, 15), message: 'expected a quoted spec after changeField, found "245"' },
    ]);
    assert.deepEqual(
      file.rules.map((r) => r.name),
      ["good 1", "good 2", "good 3"],
    );
  });

  test("an error at the top of the file skips to the first rule", () => {
    const file = parseRules('import foo.bar;\nglobal x\nrule "r" when TRUE then end');
    assert.equal(file.errors.length, 1);
    assert.deepEqual(
      file.rules.map((r) => r.name),
      ["r"],
    );
  });
});

describe("formatRuleError", () => {
  const e: RuleError = { at: at(12, 5), message: 'expected "then" after the condition' };

  test("with a file name: FILE:LINE:COLUMN: message", () => {
    assert.equal(
      formatRuleError(e, "norm.txt"),
      'norm.txt:12:5: expected "then" after the condition',
    );
  });

  test("without: line L, column C: message", () => {
    assert.equal(formatRuleError(e), 'line 12, column 5: expected "then" after the condition');
  });
});

describe("any text", () => {
  const pieces = [
    ...['"', "(", ")", ".", ",", "\\", "\n", "\r\n", " ", "#", "//", "*", "{", "}", "-", "1"],
    ...["rule", "when", "then", "end", "not", "and", "or", "merge", "MARC", "XX", "if", "TRUE"],
    ...['"650.a.x"', '"LDR.{17,1}.u"', "exists", "existsControl", "removeField", "add", "set"],
    ...["\uD800", "𝔘", ";"],
  ];
  const text = fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join(""));

  test("parseRules never throws; its errors lie inside the text, in file order, one per place", () => {
    fc.assert(
      fc.property(text, (t) => {
        const file = parseRules(t);
        const lines = t.split(/\r\n|\r|\n/u).length;
        let previous = { line: 0, column: 0 };
        for (const e of file.errors) {
          assert.ok(e.at.line >= 1 && e.at.line <= lines && e.at.column >= 1, JSON.stringify(e));
          const after =
            e.at.line > previous.line ||
            (e.at.line === previous.line && e.at.column > previous.column);
          assert.ok(after, JSON.stringify(file.errors));
          previous = e.at;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
