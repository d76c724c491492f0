/**
 * The one engine that runs a crosswalk table on a record's data fields: picks each field's
 * rule, the target tag and indicators, maps subfield codes, runs the named steps, adds or
 * removes ISBD punctuation, and carries alternate-script links (MARC 21 880 + `$6` ↔ UNIMARC
 * `$6`/`$7` on the field itself). Pure: a record in, fields and notes out.
 */
import type { DataField, Field, Subfield } from "../marc/record.js";
import { isControlField } from "../marc/record.js";
import {
  AUTHOR_RELATORS,
  invert,
  ISO_TO_MARC_COUNTRY,
  isoCountry,
  RELATOR_CODES,
  RELATOR_TERMS,
  type CodeMap,
} from "./codes.js";
import type { CrosswalkNote } from "./note.js";
import {
  ruleFor,
  type CrosswalkTable,
  type FieldRule,
  type IndicatorRule,
  type Step,
} from "./table.js";

/** Which way a table runs: decides how alternate-script links are written. */
export type Direction = "to-unimarc" | "to-marc21" | "same-family";

/** NSB / NSE: UNIMARC's non-sorting begin and end marks (ISO 6630, U+0098 / U+009C). */
export const NSB = "\u0098";
export const NSE = "\u009c";

const MARC_TO_UNIMARC_RELATOR = RELATOR_CODES;
const UNIMARC_TO_MARC_RELATOR = invert(RELATOR_CODES);

/** MARC 21 subject heading thesaurus (6XX ind2) → source code, UNIMARC `$2`. */
const THESAURUS: CodeMap = {
  "0": "lc",
  "1": "lcch",
  "2": "mesh",
  "3": "nal",
  "5": "cash",
  "6": "rvm",
};
const THESAURUS_TO_IND2: CodeMap = { ...invert(THESAURUS), lcsh: "0", lcshac: "1" };

/** MARC organization code prefixes without a hyphen (older codes) → ISO 3166. */
const AGENCY_PREFIXES: CodeMap = {
  Ca: "CA",
  Uk: "GB",
  Fr: "FR",
  Au: "AU",
  Nz: "NZ",
  Ne: "NL",
  Sz: "CH",
  Gw: "DE",
};

/** MARC 21 script identification codes (880 `$6` after `/`) → UNIMARC script codes. */
const SCRIPTS: CodeMap = { "(3": "fa", "(B": "ba", $1: "ea", "(N": "ca", "(S": "ga", "(2": "ha" };
const SCRIPTS_TO_MARC = invert(SCRIPTS);

/** ISBD punctuation at the end of a value: ` :`, ` ;`, ` /`, ` =`, `,`, ` +`. */
const TRAILING_MARK = /\s*[:;/=,+]\s*$/;
/** A final period that belongs to an abbreviation or an initial, and stays. */
const KEPT_PERIOD =
  /(?:^|[\s.(-])(?:\p{Lu}|ed|eds|etc|Jr|Sr|Inc|Co|Ltd|comp|trans|tr|ill|illus|col|facsim|port|ports|portr|diagr|diagrs|fig|figs|vol|v|p|pp|no|s|t|ca|cent|geb|Bd|Hrsg|Aufl|éd|dir|coll|cop|il|ил|портр|с|т|г|гг|вып|изд|ред|сост|obl|tom|str)\.$/u;

/** A value without the ISBD punctuation MARC 21 records at its end. */
export function stripIsbd(value: string): string {
  // Most values end in a letter or digit: nothing to strip.
  const last = value.charCodeAt(value.length - 1);
  if (!(
    last === 0x20 ||
    last === 0x2c ||
    last === 0x2e ||
    last === 0x2f ||
    last === 0x3a ||
    last === 0x3b ||
    last === 0x3d ||
    last === 0x2b
  ))
    return value;
  let v = value;
  for (;;) {
    let next = v.replace(TRAILING_MARK, "");
    if (next.endsWith(".") && !next.endsWith("...") && !KEPT_PERIOD.test(next))
      next = next.slice(0, -1);
    next = next.trimEnd();
    if (next === v) return v;
    v = next;
  }
}

interface Mapped {
  code: string;
  value: string;
  /** The source code it came from (punctuation is keyed by it). */
  src: string;
}

interface Outcome {
  field?: DataField;
  notes: CrosswalkNote[];
}

function indicator(rule: IndicatorRule | undefined, source: DataField, fallback: string): string {
  if (rule === undefined) return fallback;
  if (typeof rule === "string") return rule;
  const value = source[rule.from];
  if (!rule.map) return value;
  return rule.map[value] ?? rule.otherwise ?? value;
}

function relatorCodes(subfields: readonly Mapped[]): string[] {
  return subfields.filter((s) => s.code === "4").map((s) => s.value);
}

function targetTag(rule: FieldRule, source: DataField, mapped: readonly Mapped[]): string | null {
  const to = rule.to;
  if (to === null) return null;
  if (typeof to === "string") return to === "=" ? source.tag : to;
  let key: string | undefined;
  if (to.by === "ind1" || to.by === "ind2") key = source[to.by];
  else if (to.by === "author") {
    const codes = [...relatorCodes(mapped), ...sourceRelators(source)];
    const author =
      codes.length === 0 ||
      codes.some((c) => AUTHOR_RELATORS.includes(c) || c === "aut" || c === "cre");
    key = author ? "yes" : "no";
  } else {
    const value = source.subfields
      .find((s) => s.code === to.code)
      ?.value.trim()
      .toLowerCase();
    if (value !== undefined) {
      key = to.map[value] !== undefined ? value : value.replace(/[\d\s./-]+$/, "");
      if (to.map[key] === undefined) key = "*";
    }
  }
  const tag = key !== undefined ? to.map[key] : undefined;
  return tag ?? (to.otherwise === "=" ? source.tag : to.otherwise);
}

/** The MARC relator codes a source field's `$e` terms name. */
function sourceRelators(source: DataField): string[] {
  if (/^(?:1[01]1|[67]11)$/.test(source.tag)) return [];
  return source.subfields
    .filter((s) => s.code === "e")
    .flatMap((s) => s.value.split(/\s*,\s*(?:and\s+)?|\s+and\s+/))
    .map(
      (t) =>
        RELATOR_TERMS[
          t
            .trim()
            .replace(/[.,;:]+$/, "")
            .toLowerCase()
        ],
    )
    .filter((c): c is string => c !== undefined);
}

function relatorToUnimarc(source: DataField, out: Mapped[], notes: CrosswalkNote[]): Mapped[] {
  const result: Mapped[] = [];
  const codes = new Set<string>();
  for (const s of out) {
    if (s.code !== "4") {
      result.push(s);
      continue;
    }
    const code =
      MARC_TO_UNIMARC_RELATOR[s.value.trim().toLowerCase()] ??
      (/^\d{3}$/.test(s.value) ? s.value : undefined);
    if (code) codes.add(code);
    else
      notes.push({
        tag: source.tag,
        kind: "approximate",
        reason: `relator code "${s.value}" has no UNIMARC code`,
      });
  }
  for (const s of source.subfields) {
    if (s.code !== "e" || /^1[01]1$/.test(source.tag) || /^[67]11$/.test(source.tag)) continue;
    for (const part of s.value.split(/\s*,\s*(?:and\s+)?|\s+and\s+/)) {
      const term = part
        .trim()
        .replace(/[.,;:]+$/, "")
        .toLowerCase();
      if (term.length === 0) continue;
      const marc = RELATOR_TERMS[term];
      const code = marc ? MARC_TO_UNIMARC_RELATOR[marc] : undefined;
      if (code) codes.add(code);
      else
        notes.push({
          tag: source.tag,
          kind: "approximate",
          reason: `relator term "${term}" has no UNIMARC code`,
        });
    }
  }
  for (const code of codes) result.push({ code: "4", value: code, src: "4" });
  return result;
}

function splitName(out: Mapped[], ind2: string): Mapped[] {
  if (ind2 !== "1") return out;
  const i = out.findIndex((s) => s.code === "a");
  if (i < 0) return out;
  const a = out[i]!;
  const comma = a.value.indexOf(", ");
  if (comma < 0) return out;
  return [
    ...out.slice(0, i),
    { code: "a", value: a.value.slice(0, comma), src: "a" },
    { code: "b", value: a.value.slice(comma + 2), src: "b" },
    ...out.slice(i + 1),
  ];
}

function joinName(out: Mapped[]): Mapped[] {
  const a = out.findIndex((s) => s.code === "a");
  const b = out.findIndex((s, i) => s.src === "b" && i > a);
  if (a < 0 || b < 0) return out;
  const joined = { ...out[a]!, value: `${out[a]!.value}, ${out[b]!.value}` };
  return out.flatMap((s, i) => (i === a ? [joined] : i === b ? [] : [s]));
}

interface StepResult {
  out: Mapped[];
  ind1: string;
  ind2: string;
}

function runStep(step: Step, source: DataField, r: StepResult, notes: CrosswalkNote[]): StepResult {
  switch (step) {
    case "strip-isbd":
      return {
        ...r,
        out: r.out.map((s) => (/^\d$/.test(s.code) ? s : { ...s, value: stripIsbd(s.value) })),
      };
    case "split-name":
      return { ...r, out: splitName(r.out, r.ind2) };
    case "join-name":
      return { ...r, out: joinName(r.out) };
    case "relator-to-unimarc":
      return { ...r, out: relatorToUnimarc(source, r.out, notes) };
    case "relator-to-marc21":
      return {
        ...r,
        out: r.out.map((s) =>
          s.code === "4" ? { ...s, value: UNIMARC_TO_MARC_RELATOR[s.value.trim()] ?? s.value } : s,
        ),
      };
    case "nonfiling-to-marks": {
      const n = Number(source.ind2);
      const i = r.out.findIndex((s) => s.code === "a");
      if (!(n > 0) || i < 0 || r.out[i]!.value.length <= n) return r;
      const a = r.out[i]!;
      const marked = { ...a, value: `${NSB}${a.value.slice(0, n)}${NSE}${a.value.slice(n)}` };
      return { ...r, out: r.out.map((s, j) => (j === i ? marked : s)) };
    }
    case "marks-to-nonfiling": {
      let ind2 = "0";
      const out = r.out.map((s, j) => {
        if (!s.value.includes(NSB) && !s.value.includes(NSE)) return s;
        const m =
          j === r.out.findIndex((x) => x.code === "a")
            ? /^\u0098([^\u009c]*)\u009c/.exec(s.value)
            : null;
        if (m && m[1]!.length <= 9) ind2 = String(m[1]!.length);
        return { ...s, value: s.value.replace(/[\u0098\u009c]/g, "") };
      });
      return { ...r, out, ind2 };
    }
    case "thesaurus-to-code": {
      const code = THESAURUS[source.ind2];
      if (!code || r.out.some((s) => s.code === "2")) return r;
      return { ...r, out: [...r.out, { code: "2", value: code, src: "2" }] };
    }
    case "code-to-thesaurus": {
      const two = r.out.find((s) => s.code === "2");
      if (!two) return { ...r, ind2: "4" };
      const ind2 = THESAURUS_TO_IND2[two.value.trim().toLowerCase()];
      if (ind2 === undefined) return { ...r, ind2: "7" };
      return { ...r, ind2, out: r.out.filter((s) => s !== two) };
    }
    case "split-responsibility": {
      const out: Mapped[] = [];
      for (const s of r.out) {
        if (s.code !== "f" || !/\s;\s/.test(s.value)) {
          out.push(s);
          continue;
        }
        const [head, ...rest] = s.value.split(/\s;\s/);
        out.push({ ...s, value: head! }, ...rest.map((v) => ({ code: "g", value: v, src: "c" })));
      }
      return { ...r, out };
    }
    case "join-responsibility": {
      const out: Mapped[] = [];
      for (const s of r.out) {
        const prev = out[out.length - 1];
        if (s.src === "g" && prev && (prev.src === "f" || prev.src === "g"))
          out[out.length - 1] = { ...prev, value: `${prev.value} ; ${s.value}` };
        else out.push(s);
      }
      return { ...r, out };
    }
    case "agency-country": {
      const agency = r.out.find((s) => s.code === "b")?.value.trim();
      if (!agency) return r;
      const hyphen = /^([A-Z]{2})-/.exec(agency)?.[1];
      const country =
        hyphen ??
        AGENCY_PREFIXES[agency.slice(0, 2)] ??
        (/^[A-Z]+$/.test(agency) ? "US" : undefined);
      return country ? { ...r, out: [{ code: "a", value: country, src: "a" }, ...r.out] } : r;
    }
    case "isbn-qualifier": {
      const out: Mapped[] = [];
      for (const s of r.out) {
        const m = s.code === "a" ? /^(\S+)\s+\((.+)\)\s*[:;]?$/.exec(s.value) : null;
        if (m) out.push({ ...s, value: m[1]! }, { code: "b", value: m[2]!, src: "q" });
        else out.push(s);
      }
      return { ...r, out };
    }
    case "collapse-to-a": {
      const text = source.subfields
        .filter((s) => !/^[0-9]$/.test(s.code))
        .map((s) => s.value.trim())
        .filter((v) => v.length > 0)
        .join(" ");
      return { ...r, out: text ? [{ code: "a", value: text, src: "a" }] : [] };
    }
    case "country-to-iso":
      return {
        ...r,
        out: r.out.flatMap((s) => {
          if (s.code !== "a") return [s];
          const iso = isoCountry(s.value);
          if (!iso)
            notes.push({
              tag: source.tag,
              kind: "approximate",
              reason: `country code "${s.value}" has no ISO 3166 equivalent`,
            });
          return iso ? [{ ...s, value: iso }] : [];
        }),
      };
    case "country-to-marc":
      return {
        ...r,
        out: r.out.map((s) =>
          s.code === "a"
            ? { ...s, value: ISO_TO_MARC_COUNTRY[s.value.trim().toUpperCase()] ?? "xx" }
            : s,
        ),
      };
    case "kdc-edition":
      return {
        ...r,
        out: r.out.flatMap((s) => {
          if (s.code !== "2") return [s];
          const edition = /^kdc\s*[-/]?\s*(\S+)$/i.exec(s.value.trim())?.[1];
          return edition ? [{ ...s, value: edition }] : [];
        }),
      };
    case "kdc-source": {
      const two = r.out.find((s) => s.code === "2");
      const rest = r.out.filter((s) => s !== two);
      return {
        ...r,
        out: [...rest, { code: "2", value: two ? `kdc${two.value.trim()}` : "kdc", src: "2" }],
      };
    }
  }
}

function punctuate(rule: FieldRule, out: Mapped[]): Mapped[] {
  const p = rule.punctuation;
  if (!p) return out;
  const result = out.map((s) => {
    const wrap = p.wrap?.[s.src];
    return wrap ? { ...s, value: `${wrap[0]}${s.value}${wrap[1]}` } : { ...s };
  });
  for (let i = 1; i < result.length; i++) {
    const mark = p.before?.[result[i]!.src];
    const prev = result[i - 1]!;
    if (!mark || /^\d$/.test(prev.code)) continue;
    const bare = mark.trim();
    if (!prev.value.trimEnd().endsWith(bare)) prev.value = `${prev.value}${mark}`;
  }
  if (p.end) {
    for (let i = result.length - 1; i >= 0; i--) {
      const s = result[i]!;
      if (/^\d$/.test(s.code)) continue;
      if (!/[.?!)\]-]$/.test(s.value)) s.value = `${s.value}${p.end}`;
      break;
    }
  }
  return result;
}

/** Whether a rule copies a field as it is (tag, indicators, every subfield): 9XX, 856. */
function copiesAsIs(rule: FieldRule): boolean {
  let known = AS_IS.get(rule);
  if (known === undefined) {
    const i1 = rule.ind1;
    const i2 = rule.ind2;
    known =
      rule.to === "=" &&
      rule.subfields?.["*"] === "*" &&
      typeof i1 === "object" &&
      i1.from === "ind1" &&
      !i1.map &&
      typeof i2 === "object" &&
      i2.from === "ind2" &&
      !i2.map &&
      !rule.steps &&
      !rule.punctuation &&
      !rule.add &&
      !rule.approximate &&
      !rule.variants;
    AS_IS.set(rule, known);
  }
  return known;
}
const AS_IS = new WeakMap<FieldRule, boolean>();
const NO_NOTES: CrosswalkNote[] = [];

/** Subfields without their source codes. */
function plain(out: readonly Mapped[]): Subfield[] {
  const subfields: Subfield[] = new Array<Subfield>(out.length);
  for (let i = 0; i < out.length; i++) subfields[i] = { code: out[i]!.code, value: out[i]!.value };
  return subfields;
}

/** Runs one rule on one data field (its `$6` removed). */
export function mapField(rule: FieldRule, source: DataField): Outcome {
  if (copiesAsIs(rule)) return { field: source, notes: NO_NOTES };
  const notes: CrosswalkNote[] = [];
  if (rule.to === null) {
    if (rule.dropped) notes.push({ tag: source.tag, kind: "dropped", reason: rule.dropped });
    return { notes };
  }
  const first = mapSubfields(rule, source, notes);
  const tag = targetTag(rule, source, first);
  if (tag === null) return { notes };
  const variant = rule.variants?.[tag];
  const effective: FieldRule = variant ? { ...rule, ...variant } : rule;
  const mapped = variant ? mapSubfields(effective, source, ((notes.length = 0), notes)) : first;
  let r: StepResult = {
    out: mapped,
    ind1: indicator(effective.ind1, source, source.ind1),
    ind2: indicator(effective.ind2, source, source.ind2),
  };
  for (const step of effective.steps ?? []) r = runStep(step, source, r, notes);
  let out = punctuate(effective, r.out).filter((s) => s.value.length > 0);
  for (const [code, value] of effective.add ?? []) out = [{ code, value, src: code }, ...out];
  if (effective.add) out.sort((a, b) => (a.code === "a" ? -1 : b.code === "a" ? 1 : 0));
  if (effective.approximate)
    notes.push({ tag: source.tag, kind: "approximate", reason: effective.approximate });
  if (out.length === 0) {
    notes.push({ tag: source.tag, kind: "dropped", reason: "no subfield left after mapping" });
    return { notes };
  }
  return {
    field: {
      tag,
      ind1: r.ind1,
      ind2: r.ind2,
      subfields: plain(out),
    },
    notes,
  };
}

function mapSubfields(rule: FieldRule, source: DataField, notes: CrosswalkNote[]): Mapped[] {
  const map = rule.subfields ?? {};
  const all = map["*"] === "*";
  const silent = rule.silent ?? "";
  const unwrap = rule.unwrap ?? "";
  const out: Mapped[] = [];
  let lost: Set<string> | undefined;
  const collapse = rule.steps?.includes("collapse-to-a") ?? false;
  let previous = "";
  for (const s of source.subfields) {
    let code = all
      ? s.code
      : rule.afterEquals?.[s.code] && /=\s*$/.test(previous)
        ? rule.afterEquals[s.code]
        : map[s.code];
    previous = s.value;
    if (code === undefined) {
      if (!silent.includes(s.code) && !collapse && s.code !== "8") (lost ??= new Set()).add(s.code);
      continue;
    }
    let value = s.value;
    if (unwrap.includes(s.code)) value = value.replace(/^\s*\[(.*)\]\s*([:;/=,.]?)\s*$/, "$1$2");
    out.push({ code, value, src: s.code });
    code = undefined;
  }
  if (lost)
    notes.push({
      tag: source.tag,
      kind: "approximate",
      reason: `subfield${lost.size > 1 ? "s" : ""} ${[...lost].map((c) => `$${c}`).join(" ")} not mapped`,
    });
  return out;
}

function hasCode(field: DataField, code: string): boolean {
  for (const s of field.subfields) if (s.code === code) return true;
  return false;
}

/** The alternate-script link a field carries, read off its `$6`. */
interface Link {
  readonly number: string;
  /** For a MARC 21 880: the tag it belongs to and its script code. */
  readonly linkedTag?: string;
  readonly script?: string;
}

function marcLink(field: DataField): Link | undefined {
  if (!hasCode(field, "6")) return undefined;
  const six = field.subfields.find((s) => s.code === "6")?.value;
  if (!six) return undefined;
  const m = /^(\d{3})-(\d{2,})(?:\/([^/]*))?/.exec(six);
  if (!m) return undefined;
  return field.tag === "880"
    ? { number: m[2]!, linkedTag: m[1]!, script: m[3] ?? "" }
    : { number: m[2]! };
}

/**
 * Runs a table over the fields of a record (control fields by their tag's rule, data fields
 * mapped). Returns the converted fields in tag order and a note for every field dropped or
 * mapped approximately.
 */
export function applyTable(
  fields: readonly Field[],
  table: CrosswalkTable,
  direction: Direction,
): { fields: Field[]; notes: CrosswalkNote[] } {
  const out: Field[] = [];
  const notes: CrosswalkNote[] = [];
  /** to-marc21: the alternate-script fields written, and the regular fields that may link to one. */
  const alternates = new Set<string>();
  const linked = new Map<number, string>();
  for (const field of fields) {
    if (isControlField(field)) {
      const rule = ruleFor(table, field.tag);
      if (!rule || rule.to === null) {
        if (!rule || rule.dropped !== "")
          notes.push({
            tag: field.tag,
            kind: "dropped",
            reason: rule?.dropped ?? "no mapping in the table",
          });
        continue;
      }
      out.push({
        tag: typeof rule.to === "string" && rule.to !== "=" ? rule.to : field.tag,
        value: field.value,
      });
      continue;
    }
    let source: DataField = field;
    let six: Subfield[] = [];
    if (direction === "to-unimarc") {
      const link = marcLink(field);
      if (link) {
        const script = link.script !== undefined ? (SCRIPTS[link.script] ?? "") : "";
        six = [{ code: "6", value: `a${link.number}` }];
        if (link.linkedTag) {
          source = { ...field, tag: link.linkedTag };
          if (script) six.push({ code: "7", value: script });
        }
      }
      if (link || hasCode(source, "6"))
        source = { ...source, subfields: source.subfields.filter((s) => s.code !== "6") };
    } else if (direction === "to-marc21") {
      const link = hasCode(field, "6")
        ? field.subfields.find((s) => s.code === "6")?.value
        : undefined;
      const m = link ? /^[a-z](\d{2})/.exec(link) : null;
      if (m) {
        const script = field.subfields.find((s) => s.code === "7")?.value ?? "";
        six = [
          { code: "6", value: m[1]! },
          { code: "7", value: script },
        ];
      }
      source = {
        ...source,
        subfields: source.subfields.filter((s) => s.code !== "6" && !(m && s.code === "7")),
      };
    }
    const rule = ruleFor(table, source.tag);
    if (!rule) {
      notes.push({ tag: field.tag, kind: "dropped", reason: "no mapping in the table" });
      continue;
    }
    const result = mapField(rule, source);
    for (const n of result.notes)
      notes.push(
        n.tag === source.tag && source.tag !== field.tag
          ? { ...n, tag: `${field.tag}/${source.tag}` }
          : n,
      );
    if (!result.field) continue;
    let mapped = result.field;
    if (six.length > 0 && direction === "to-unimarc") {
      mapped = { ...mapped, subfields: [...six, ...mapped.subfields] };
    } else if (six.length > 0 && direction === "to-marc21") {
      const number = six[0]!.value;
      const script = six[1]!.value;
      if (script !== "" && script !== "ba") {
        // The alternate-script field: an 880 linked to the field of its tag.
        const code = SCRIPTS_TO_MARC[script] ?? "";
        alternates.add(`${mapped.tag}-${number}`);
        mapped = {
          ...mapped,
          tag: "880",
          subfields: [
            { code: "6", value: `${mapped.tag}-${number}${code ? `/${code}` : ""}` },
            ...mapped.subfields,
          ],
        };
      } else {
        linked.set(out.length, `${mapped.tag}-${number}`);
      }
    } else if (direction === "same-family") {
      const keep = field.subfields.filter((s) => s.code === "6");
      if (keep.length > 0 && !mapped.subfields.some((s) => s.code === "6"))
        mapped = { ...mapped, subfields: [...keep, ...mapped.subfields] };
    }
    out.push(mapped);
  }
  for (const [at, link] of linked) {
    if (!alternates.has(link)) continue;
    const f = out[at] as DataField;
    out[at] = { ...f, subfields: [{ code: "6", value: `880-${link.slice(4)}` }, ...f.subfields] };
  }
  return { fields: sortByTag(out), notes };
}

/** Fields in tag order, stable (880 after the others, as MARC 21 files put them). */
export function sortByTag(fields: readonly Field[]): Field[] {
  let sorted = true;
  for (let i = 1; i < fields.length && sorted; i++)
    if (fields[i - 1]!.tag > fields[i]!.tag) sorted = false;
  if (sorted) return [...fields];
  return fields
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (a.f.tag < b.f.tag ? -1 : a.f.tag > b.f.tag ? 1 : a.i - b.i))
    .map((x) => x.f);
}
