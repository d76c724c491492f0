/**
 * The fuzzers of the hardening suite (`npm run test:hardening`): every parser marcgate runs on
 * data from outside — ISO 2709, MARCXML, MARC-in-JSON, mnemonic, the Connexion request, the
 * rule language, profile and validation-profile JSON — fed mutations of real records
 * (../shared/corpus) and random bytes, in random chunks. Each parser must not throw on data,
 * must take time that grows linearly with its input (measured: sixteen times the input may take
 * at most 64 times as long, four times the linear growth, which a busy shared machine reaches;
 * quadratic work takes 256), and must
 * not keep memory.
 *
 * MARCGATE_FUZZ_SECONDS sets each parser's budget (default 2). The closing line of each
 * parser says how many inputs it tried.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { encodeRequest } from "../../src/connexion/client.js";
import { ConnexionRequestParser } from "../../src/connexion/request.js";
import { parseProfile } from "../../src/import/profile.js";
import { readIso2709, readIso2709Buffer } from "../../src/marc/iso2709.js";
import { readMarcJson } from "../../src/marc/marcjson.js";
import { readMarcXml } from "../../src/marc/marcxml.js";
import { readMnemonic } from "../../src/marc/mnemonic.js";
import { DEFAULT_BRIEF_LEVEL_RULES } from "../../src/rules/default-brief-level.js";
import { parseRules } from "../../src/rules/parser.js";
import { cqlSearch } from "../../src/search/cql-search.js";
import { PREDEFINED_MERGE_METHODS } from "../../src/rules/predefined-merge.js";
import {
  BUILT_IN_PROFILES,
  exportValidationProfile,
  parseValidationProfile,
} from "../../src/validation/profile.js";
import { timeGrowth } from "../_timing.js";
import { loadSeeds } from "./_seeds.js";

const BUDGET_MS = Number(process.env["MARCGATE_FUZZ_SECONDS"] ?? "2") * 1000;
const seeds = loadSeeds();

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** A parser under test: reads one input given as chunks; must not throw. */
interface Target {
  readonly name: string;
  readonly seeds: readonly Buffer[];
  readonly parse: (chunks: readonly Buffer[]) => unknown;
  /** Inputs whose reading must grow linearly: `shape(n)` is about n bytes. */
  readonly shapes: Readonly<Record<string, (n: number) => Buffer>>;
  /** Inputs that once failed (issue 18), kept as named cases. */
  readonly regressions?: Readonly<Record<string, () => readonly Buffer[]>>;
}

async function drain(iterable: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  const iterator = iterable[Symbol.asyncIterator]();
  while (!(await iterator.next()).done) n++;
  return n;
}

const text = (chunks: readonly Buffer[]): string => Buffer.concat(chunks).toString("utf8");
const repeat = (unit: string, n: number): Buffer =>
  Buffer.from(unit.repeat(Math.max(1, Math.round(n / unit.length))));
const repeatBytes = (unit: Buffer, n: number): Buffer =>
  Buffer.concat(Array.from({ length: Math.max(1, Math.round(n / unit.length)) }, () => unit));

const RULE_SEEDS = [
  ...Object.values(PREDEFINED_MERGE_METHODS),
  DEFAULT_BRIEF_LEVEL_RULES,
  'rule "Call no. \\"LC\\"" priority 2\nwhen (exists "245.a" and not existsControl "008.{35,3}.ger") or TRUE\nthen\n  removeField "9XX"\n  addSubField "245.h.[electronic resource]" if (exists "856")\nend\n',
].map((t) => Buffer.from(t));

const PROFILE_SEEDS = [
  { code: "CONNEXION", password: "s3cret" },
  {
    code: "CONNEXION",
    name: "OCLC Connexion",
    password: "",
    nonSerialMatchMethod: "Unique OCLC Identifier Match Method",
    serialMatchMethod: "Unique OCLC Identifier Match Method",
    mergeMethod: "Overlay all fields but local",
    normalizationRules: ["fix.txt"],
    ruleFiles: { "fix.txt": 'rule "r" when TRUE then removeField "029" end' },
    doNotOverrideLowerBriefLevel: true,
  },
].map((p) => Buffer.from(JSON.stringify(p, null, 2)));

const record = seeds.records[0]!;

const targets: readonly Target[] = [
  {
    name: "ISO 2709",
    seeds: seeds.bytes.iso2709,
    parse: async (chunks) => {
      await drain(readIso2709(chunks));
      return [...readIso2709Buffer(Buffer.concat(chunks))].length;
    },
    shapes: {
      "records back to back": (n) => repeatBytes(record, n),
      "junk without a leader": (n) => Buffer.alloc(n, 0x41),
      "terminators only": (n) => Buffer.alloc(n, 0x1d),
    },
    regressions: {
      // 100 KB in 1-byte chunks took 2.8 s.
      "1-byte chunks of junk": () => {
        const junk = Buffer.alloc(100_000, 0x41);
        return Array.from({ length: junk.length }, (_, i) => junk.subarray(i, i + 1));
      },
    },
  },
  {
    name: "MARCXML",
    seeds: seeds.bytes.marcxml,
    parse: (chunks) => drain(readMarcXml(chunks)),
    shapes: {
      "records in a collection": (n) =>
        Buffer.concat([
          Buffer.from('<collection xmlns="http://www.loc.gov/MARC21/slim">'),
          repeat(
            '<record><leader>00000nam a2200000 a 4500</leader><datafield tag="245" ind1="1" ind2="0"><subfield code="a">T</subfield></datafield></record>',
            n,
          ),
          Buffer.from("</collection>"),
        ]),
      "nested unclosed records": (n) => repeat("<record>", n),
      "nested elements closed": (n) => Buffer.concat([repeat("<a>", n / 2), repeat("</a>", n / 2)]),
      "empty elements": (n) => Buffer.concat([Buffer.from("<c>"), repeat("<a/>", n)]),
    },
    regressions: {
      // 20,000 nested unclosed <record> (240 KB) took 18.8 s.
      "20,000 nested unclosed records": () => [repeat("<record>", 160_000)],
    },
  },
  {
    name: "MARC-in-JSON",
    seeds: seeds.bytes.marcjson,
    parse: (chunks) => drain(readMarcJson(chunks)),
    shapes: {
      "records in an array": (n) => {
        const one = seeds.bytes.marcjson[0]!.toString("utf8").trim();
        return Buffer.from(
          `[${Array.from({ length: Math.max(1, Math.round(n / one.length)) }, () => one).join(",")}]`,
        );
      },
      "nested arrays": (n) => repeat("[", n),
      "nested objects": (n) => repeat('{"a":', n),
    },
  },
  {
    name: "mnemonic",
    seeds: seeds.bytes.mnemonic,
    parse: (chunks) => drain(readMnemonic(chunks)),
    shapes: {
      "records one after the other": (n) =>
        repeatBytes(Buffer.concat([seeds.bytes.mnemonic[0]!, Buffer.from("\n")]), n),
      "one long field": (n) =>
        Buffer.from(`=LDR  00000nam a2200000 a 4500\n=500  \\\\$a${"x$".repeat(n / 2)}\n`),
      "lines without a tag": (n) => repeat("x\n", n),
    },
  },
  {
    name: "Connexion request",
    seeds: seeds.records.flatMap((r) => [
      Buffer.from(encodeRequest(r, { logonId: "01ABC_INST", password: "s3cret" }, "byte")),
      Buffer.from(encodeRequest(r, { logonId: "01ABC_INST", password: "2024ab" }, "decimal")),
    ]),
    parse: (chunks) => {
      const parser = new ConnexionRequestParser();
      let events = 0;
      for (const chunk of chunks) events += parser.push(chunk).length;
      events += parser.idle().length + parser.end().length;
      return events;
    },
    shapes: {
      "requests back to back": (n) =>
        repeatBytes(
          Buffer.from(encodeRequest(record, { logonId: "01ABC_INST", password: "s3cret" }, "byte")),
          n,
        ),
      "digit runs after a decimal length": (n) =>
        Buffer.concat([Buffer.from("A9"), repeat("9", n)]),
      spaces: (n) => repeat(" ", n),
      "logon fields without end": (n) => repeat("U@A@P@", n),
    },
  },
  {
    // CQL from SRU, the REST API and the search box (parsed and mapped to a search).
    name: "CQL",
    seeds: [
      'dc.title = "kind of blue" and (alma.isbn = 9780306406157 or dc.creator any "davis kahn") not dc.date < 1950',
      '> dc = "info:srw/cql-context-set/1/dc-v1.1" dc.title adj "hist* of jazz" sortBy dc.date/sort.descending dc.title',
      "a and/rel.combine=sum b prox/unit=word/distance>3 c",
    ].map((t) => Buffer.from(t)),
    parse: (chunks) => cqlSearch(text(chunks)),
    shapes: {
      "long and chain": (n) => repeat("w and ", n),
      "nested parentheses": (n) => Buffer.from(`${"(".repeat(n / 2)}a${")".repeat(n / 2)}`),
      "unclosed quotes": (n) => repeat('"a \\" ', n),
      modifiers: (n) => repeat("/m=1", n),
    },
  },
  {
    name: "rule language",
    seeds: RULE_SEEDS,
    parse: (chunks) => parseRules(text(chunks)),
    shapes: {
      "rules one after the other": (n) =>
        repeat('rule "r" when TRUE then removeField "500" end\n', n),
      "nested parentheses": (n) =>
        Buffer.from(`rule "r" when ${"(".repeat(n / 2)}TRUE${")".repeat(n / 2)} then end`),
      "long and chain": (n) =>
        Buffer.from(`rule "r" when ${"TRUE and ".repeat(n / 9)}TRUE then end`),
      "unclosed strings": (n) => repeat('"x\n', n),
    },
    regressions: {
      // 5,000 nested parentheses overflowed the stack (HTTP 500).
      "5,000 nested parentheses": () => [
        Buffer.from(`rule "r" when ${"(".repeat(5_000)}TRUE${")".repeat(5_000)} then end`),
      ],
      "a backslash in a rule name": () => [Buffer.from('rule "a\\\\b" when TRUE then end')],
    },
  },
  {
    name: "profile JSON",
    seeds: PROFILE_SEEDS,
    parse: (chunks) => {
      let value: unknown;
      try {
        value = JSON.parse(text(chunks));
      } catch {
        return undefined; // not JSON: refused before our parser
      }
      return parseProfile(value);
    },
    shapes: {
      "many rule files": (n) => {
        const files: Record<string, string> = {};
        for (let i = 0; i < n / 60; i++) files[`f${i}.txt`] = 'rule "r" when TRUE then end';
        return Buffer.from(JSON.stringify({ code: "C", ruleFiles: files }));
      },
      "many unknown keys": (n) => {
        const given: Record<string, number> = {};
        for (let i = 0; i < n / 10; i++) given[`k${i}`] = i;
        return Buffer.from(JSON.stringify(given));
      },
    },
  },
  {
    name: "validation profile JSON",
    seeds: Object.values(BUILT_IN_PROFILES).map((p) => Buffer.from(exportValidationProfile(p))),
    parse: (chunks) => parseValidationProfile(text(chunks)),
    shapes: {
      "many unknown checks": (n) => {
        const checks: Record<string, string> = {};
        for (let i = 0; i < n / 20; i++) checks[`check.${i}`] = "error";
        return Buffer.from(JSON.stringify({ name: "Ours", checks }));
      },
      "nested arrays": (n) => repeat("[", n),
    },
  },
];

/** A seed with a few bytes flipped, inserted, deleted or repeated, or random bytes. */
function input(targetSeeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  const edit = fc.tuple(
    fc.constantFrom("flip", "insert", "delete", "repeat", "cut"),
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 1, max: 64 }),
  );
  const mutated = fc
    .tuple(fc.constantFrom(...targetSeeds), fc.array(edit, { maxLength: 8 }))
    .map(([seed, edits]) => {
      let bytes = Buffer.from(seed);
      for (const [kind, where, byte, length] of edits) {
        const at = bytes.length === 0 ? 0 : where % bytes.length;
        if (kind === "flip") bytes[at] = byte;
        else if (kind === "insert")
          bytes = Buffer.concat([
            bytes.subarray(0, at),
            Buffer.alloc(length, byte),
            bytes.subarray(at),
          ]);
        else if (kind === "delete")
          bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)]);
        else if (kind === "repeat")
          bytes = Buffer.concat([bytes.subarray(0, at + length), bytes.subarray(at)]);
        else bytes = bytes.subarray(0, at);
      }
      return bytes;
    });
  const random = fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b));
  return fc.oneof({ weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: random });
}

/** The input cut into chunks of the given sizes (repeated). */
function chunked(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

describe(`fuzzing every parser (${BUDGET_MS / 1000} s each; seeds: ${seeds.source})`, () => {
  for (const target of targets) {
    describe(target.name, () => {
      test(`mutated real records and random bytes, in random chunks: no exception, bounded memory`, async () => {
        assert.ok(target.seeds.length > 0, "no seeds");
        gc();
        const before = process.memoryUsage().heapUsed;
        let tried = 0;
        await fc.assert(
          fc.asyncProperty(
            input(target.seeds),
            fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 4 }),
            async (bytes, sizes) => {
              tried++;
              await target.parse(chunked(bytes, sizes));
            },
          ),
          { numRuns: 1_000_000, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false },
        );
        gc();
        const grown = (process.memoryUsage().heapUsed - before) / 1e6;
        process.stdout.write(
          `# ${target.name}: ${tried.toLocaleString("en-US")} inputs; heap ${grown.toFixed(1)} MB after\n`,
        );
        assert.ok(tried > 0);
        assert.ok(grown < 64, `heap grew ${grown.toFixed(1)} MB`);
      });

      for (const [shape, build] of Object.entries(target.shapes)) {
        test(`time grows linearly: ${shape}`, async () => {
          const inputs = new Map<number, Buffer[]>();
          const work = async (size: number): Promise<void> => {
            let chunks = inputs.get(size);
            if (!chunks) {
              chunks = chunked(build(size), [65_536]);
              inputs.set(size, chunks);
            }
            await target.parse(chunks);
          };
          const { ratio, smallMs, largeMs } = await timeGrowth(work, {
            small: 25_000,
            large: 400_000,
          });
          process.stdout.write(
            `# ${target.name}, ${shape}: 25 KB ${smallMs.toFixed(1)} ms, 400 KB ${largeMs.toFixed(1)} ms\n`,
          );
          assert.ok(ratio < 64, `16× the input took ${ratio.toFixed(1)}× as long`);
        });
      }

      for (const [name, build] of Object.entries(target.regressions ?? {})) {
        test(`regression: ${name}`, async () => {
          const started = performance.now();
          await target.parse(build());
          const ms = performance.now() - started;
          assert.ok(ms < 1_000, `${ms.toFixed(0)} ms`);
        });
      }
    });
  }
});
