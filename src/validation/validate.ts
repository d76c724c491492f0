/**
 * Validation of a MARC 21 bibliographic record: {@link findProblems} runs every check and says
 * where each problem is; {@link validateRecord} gives each problem the severity the validation
 * exception profile gives its check, and drops the ignored ones. Pure: records in, issues out.
 *
 * @example
 * ```ts
 * const result = validateRecord(record, BUILT_IN_PROFILES["MarcXML Bib Import"]);
 * result.errors.map(formatValidationIssue);
 * // ["error [field.245-missing] 245: the record has no 245 (title statement)"]
 * ```
 */
import type { MarcIssue } from "../marc/issue.js";
import {
  isControlField,
  isControlTag,
  LEADER_POSITIONS,
  type DataField,
  type MarcRecord,
} from "../marc/record.js";
import { bibField, CONTROL_FIELDS, isLocalTag, OBSOLETE_TAGS } from "./bib-fields.js";
import type { CheckId } from "./checks.js";
import {
  ALL_MATERIALS_POSITIONS,
  LEADER_CODES,
  MATERIAL_POSITIONS,
  materialType,
  positionLabel,
  type FixedPosition,
  type MaterialType,
} from "./fixed-fields.js";
import type { CheckSeverity, ValidationProfile } from "./profile.js";

/** One problem found in a record, and where. */
export interface ValidationProblem {
  readonly check: CheckId;
  /** The field's tag, `LDR` for the leader; absent for the record as a whole. */
  readonly tag?: string;
  /** Which field of that tag, counting from 1. */
  readonly occurrence?: number;
  /** Character positions in the leader or a fixed field (`06`, `18-21`). */
  readonly position?: string;
  readonly indicator?: 1 | 2;
  readonly subfield?: string;
  readonly message: string;
}

/** A problem with the severity its profile gives it. */
export interface ValidationIssue extends ValidationProblem {
  readonly severity: Exclude<CheckSeverity, "ignore">;
}

/** A record's issues, errors first. */
export interface ValidationResult {
  readonly errors: readonly ValidationIssue[];
  readonly warnings: readonly ValidationIssue[];
}

/** Where an issue is: `LDR/06`, `008/18-21`, `650[2] ind2`, `245 $q`, `880[1]`. */
export function issueLocation(issue: ValidationProblem): string {
  if (issue.tag === undefined) return "record";
  let where = issue.tag;
  if (issue.occurrence !== undefined && issue.occurrence > 1) where += `[${issue.occurrence}]`;
  if (issue.position !== undefined) where += `/${issue.position}`;
  if (issue.indicator !== undefined) where += ` ind${issue.indicator}`;
  if (issue.subfield !== undefined) where += ` $${issue.subfield}`;
  return where;
}

/** One line for people: `error [indicator.invalid] 650[2] ind2: …`. */
export function formatValidationIssue(issue: ValidationIssue): string {
  return `${issue.severity} [${issue.check}] ${issueLocation(issue)}: ${issue.message}`;
}

function shown(value: string): string {
  return value === " " ? "blank" : value === "" ? "nothing" : `'${value}'`;
}

function listed(values: string): string {
  return [...values].map((v) => (v === " " ? "blank" : v)).join(" ");
}

const LEADER_CHECKS: Readonly<Record<(typeof LEADER_CODES)[number]["name"], CheckId>> = {
  recordStatus: "leader.record-status",
  typeOfRecord: "leader.type-of-record",
  bibliographicLevel: "leader.bibliographic-level",
  typeOfControl: "leader.type-of-control",
  characterCoding: "leader.character-coding",
  encodingLevel: "leader.encoding-level",
  descriptiveCatalogingForm: "leader.descriptive-cataloging-form",
  multipartResourceRecordLevel: "leader.multipart-level",
};

function checkLeader(leader: string, out: ValidationProblem[]): void {
  if (leader.length !== 24) {
    out.push({
      check: "leader.length",
      tag: "LDR",
      message: `the leader is ${leader.length} characters, not 24`,
    });
  }
  for (const [at, expected] of [
    [10, "2"],
    [11, "2"],
    [20, "4"],
    [21, "5"],
    [22, "0"],
    [23, "0"],
  ] as const) {
    const value = leader.charAt(at);
    if (value !== expected && at < leader.length) {
      out.push({
        check: "leader.structure",
        tag: "LDR",
        position: positionLabel(at, at),
        message: `${shown(value)} is not '${expected}'`,
      });
    }
  }
  for (const code of LEADER_CODES) {
    const at = LEADER_POSITIONS[code.name];
    if (at >= leader.length) continue;
    const value = leader.charAt(at);
    if (!code.values.includes(value)) {
      out.push({
        check: LEADER_CHECKS[code.name],
        tag: "LDR",
        position: positionLabel(at, at),
        message: `${shown(value)} is not a ${code.label} of MARC 21 bibliographic records (${listed(code.values)})`,
      });
    }
  }
}

function checkPosition(
  value: string,
  spec: FixedPosition,
  check: CheckId,
  tag: string,
  occurrence: number,
  out: ValidationProblem[],
  material?: MaterialType,
): void {
  const forType = material === undefined ? "" : ` for ${material}`;
  const text = value.slice(spec.from, spec.to + 1);
  if (text.length < spec.to - spec.from + 1) return; // the 008 is short: 008.length says so
  if (spec.each) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charAt(i);
      if (!spec.values.includes(c)) {
        out.push({
          check,
          tag,
          occurrence,
          position: positionLabel(spec.from + i, spec.from + i),
          message: `${shown(c)} is not a code for ${spec.name} (${listed(spec.values)})${forType}`,
        });
      }
    }
    return;
  }
  const ok = spec.codes instanceof RegExp ? spec.codes.test(text) : spec.codes.has(text);
  if (!ok) {
    out.push({
      check,
      tag,
      occurrence,
      position: positionLabel(spec.from, spec.to),
      message: `'${text}' is not a code for ${spec.name}${forType}`,
    });
  }
}

function check008(record: MarcRecord, out: ValidationProblem[]): void {
  const fields = record.fields.filter((f) => f.tag === "008" && isControlField(f));
  if (fields.length === 0) {
    out.push({ check: "008.missing", tag: "008", message: "the record has no 008" });
    return;
  }
  const type = materialType(record.leader.charAt(6), record.leader.charAt(7));
  fields.forEach((field, index) => {
    if (!isControlField(field)) return;
    const value = field.value;
    const occurrence = index + 1;
    if (value.length !== 40) {
      out.push({
        check: "008.length",
        tag: "008",
        occurrence,
        message: `the 008 is ${value.length} characters, not 40`,
      });
    }
    const all = ALL_MATERIALS_POSITIONS;
    checkPosition(value, all.typeOfDate, "008.type-of-date", "008", occurrence, out);
    checkPosition(value, all.modifiedRecord, "008.modified-record", "008", occurrence, out);
    checkPosition(value, all.catalogingSource, "008.cataloging-source", "008", occurrence, out);
    if (type === undefined) return; // not a bibliographic type: leader.type-of-record says so
    for (const spec of MATERIAL_POSITIONS[type]) {
      checkPosition(value, spec, "008.material", "008", occurrence, out, type);
    }
  });
}

/** The material type 006/00 (form of material) names: leader/06's codes, and `s` for serials. */
function materialOf006(form: string): MaterialType | undefined {
  return form === "s" ? "continuing resources" : materialType(form, "m");
}

/** 006/01-17 are 008/18-34 of the material type 006/00 names. */
const OFFSET_006 = 17;

function check006(record: MarcRecord, out: ValidationProblem[]): void {
  let occurrence = 0;
  for (const field of record.fields) {
    if (field.tag !== "006" || !isControlField(field)) continue;
    occurrence++;
    const value = field.value;
    if (value.length !== 18) {
      out.push({
        check: "006.length",
        tag: "006",
        occurrence,
        message: `the 006 is ${value.length} characters, not 18`,
      });
    }
    const form = value.charAt(0);
    const type = materialOf006(form);
    if (type === undefined) {
      out.push({
        check: "006.form-of-material",
        tag: "006",
        occurrence,
        position: "00",
        message: `${shown(form)} is not a form of material (a c d e f g i j k m o p r s t)`,
      });
      continue;
    }
    for (const spec of MATERIAL_POSITIONS[type]) {
      const shifted = { ...spec, from: spec.from - OFFSET_006, to: spec.to - OFFSET_006 };
      checkPosition(value, shifted, "006.material", "006", occurrence, out, type);
    }
  }
}

/** The tag an 880 stands for: `$6` is `TAG-NN[/script[/r]]`. */
function linkedTag(field: DataField): { tag: string } | { error: string } {
  const six = field.subfields.find((s) => s.code === "6");
  if (six === undefined) return { error: "the 880 has no $6 (linkage)" };
  const match = /^(\d{3})-(\d{2})/.exec(six.value);
  if (!match) return { error: `$6 "${six.value}" does not start with TAG-NN` };
  const tag = match[1]!;
  if (isControlTag(tag) || tag === "880") {
    return { error: `$6 "${six.value}" links to ${tag}, which cannot have an 880` };
  }
  return { tag };
}

/** `$9` is reserved for local use in every field (Koha's authority links, OCLC's 035 $9 …). */
const LOCAL_SUBFIELD = "9";

function checkDataField(
  field: DataField,
  occurrence: number,
  out: ValidationProblem[],
  seenUndefined: Set<string>,
): void {
  const { tag } = field;
  let definedAs = tag;
  if (tag === "880") {
    const linked = linkedTag(field);
    if ("error" in linked) {
      out.push({ check: "880.linkage", tag, occurrence, subfield: "6", message: linked.error });
      return;
    }
    definedAs = linked.tag;
  }
  if (isLocalTag(definedAs)) return;
  const definition = bibField(definedAs);
  const via = definedAs === tag ? "" : ` (as ${definedAs})`;
  if (!definition) {
    if (seenUndefined.has(definedAs)) return;
    seenUndefined.add(definedAs);
    const obsolete = OBSOLETE_TAGS.has(definedAs);
    out.push({
      check: obsolete ? "field.obsolete-tag" : "field.undefined-tag",
      tag,
      occurrence,
      message: obsolete
        ? `${definedAs} is obsolete in MARC 21 Bibliographic`
        : `${definedAs} is not defined in MARC 21 Bibliographic`,
    });
    return;
  }
  for (const [n, value, allowed] of [
    [1, field.ind1, definition.ind1],
    [2, field.ind2, definition.ind2],
  ] as const) {
    if (!allowed.includes(value) || value.length !== 1) {
      out.push({
        check: "indicator.invalid",
        tag,
        occurrence,
        indicator: n,
        message: `${shown(value)} is not a ${n === 1 ? "first" : "second"} indicator of ${definedAs} (${listed(allowed)})${via}`,
      });
    }
  }
  const reported = new Set<string>();
  for (const subfield of field.subfields) {
    const code = subfield.code;
    if (code === LOCAL_SUBFIELD || (definition.subfields.includes(code) && code.length === 1))
      continue;
    if (reported.has(code)) continue;
    reported.add(code);
    out.push({
      check: "subfield.undefined",
      tag,
      occurrence,
      subfield: code,
      message: `$${code} is not defined for ${definedAs}${via}`,
    });
  }
}

/**
 * Every problem in a record, in record order: the reader's repairs (`readIssues`, from the
 * reader that made the record), the leader, then each field, then what the record lacks.
 */
export function findProblems(
  record: MarcRecord,
  readIssues: readonly MarcIssue[] = [],
): ValidationProblem[] {
  const out: ValidationProblem[] = [];
  for (const issue of readIssues) {
    if (issue.severity !== "major" && issue.severity !== "minor") continue;
    out.push({
      check: issue.severity === "major" ? "structure.damaged" : "structure.repaired",
      ...(issue.tag !== undefined ? { tag: issue.tag } : {}),
      message: `${issue.message} (byte ${issue.offset})`,
    });
  }
  checkLeader(record.leader, out);

  const counts = new Map<string, number>();
  const seenUndefined = new Set<string>();
  for (const field of record.fields) {
    const occurrence = (counts.get(field.tag) ?? 0) + 1;
    counts.set(field.tag, occurrence);
    const { tag } = field;
    if (!/^[0-9A-Za-z]{3}$/.test(tag)) {
      out.push({
        check: "field.kind",
        tag,
        occurrence,
        message: `"${tag}" is not a 3-character tag`,
      });
      continue;
    }
    const control = isControlTag(tag);
    if (isControlField(field) !== control) {
      out.push({
        check: "field.kind",
        tag,
        occurrence,
        message: control
          ? `${tag} is a control field but holds indicators and subfields`
          : `${tag} is a data field but holds a value without indicators and subfields`,
      });
      continue;
    }
    if (control) {
      if (!(tag in CONTROL_FIELDS) && !isLocalTag(tag) && !seenUndefined.has(tag)) {
        seenUndefined.add(tag);
        out.push({
          check: "field.undefined-tag",
          tag,
          occurrence,
          message: `${tag} is not defined in MARC 21 Bibliographic`,
        });
      }
      continue;
    }
    checkDataField(field as DataField, occurrence, out, seenUndefined);
  }

  for (const [tag, count] of counts) {
    if (count < 2) continue;
    const repeatable = CONTROL_FIELDS[tag]?.repeatable ?? bibField(tag)?.repeatable;
    if (repeatable === false) {
      out.push({
        check: "field.non-repeatable",
        tag,
        occurrence: 2,
        message: `${tag} is not repeatable but occurs ${count} times`,
      });
    }
  }
  if (!counts.has("245")) {
    out.push({
      check: "field.245-missing",
      tag: "245",
      message: "the record has no 245 (title statement)",
    });
  }
  if (record.leader.charAt(6) === "z" && ![...counts.keys()].some((t) => t.startsWith("1"))) {
    out.push({
      check: "authority.heading-missing",
      message: "the authority record has no heading (1XX)",
    });
  }
  check008(record, out);
  check006(record, out);
  return out;
}

/**
 * A record's issues under a validation exception profile: every problem whose check the profile
 * does not ignore, with the profile's severity.
 */
export function validateRecord(
  record: MarcRecord,
  profile: ValidationProfile,
  readIssues: readonly MarcIssue[] = [],
): ValidationResult {
  const errors: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  for (const problem of findProblems(record, readIssues)) {
    const severity = profile.checks[problem.check];
    if (severity === "error") errors.push({ ...problem, severity });
    else if (severity === "warning") warnings.push({ ...problem, severity });
  }
  return { errors, warnings };
}
