/**
 * Validation exception profiles: a name and a severity (`error`, `warning`, `ignore`) for every
 * check. marcgate ships "MarcXML Bib Import"; a library copies it into a JSON file and changes
 * what it wants:
 *
 * ```json
 * { "name": "Our bib import", "basedOn": "MarcXML Bib Import",
 *   "checks": { "indicator.invalid": "error", "field.undefined-tag": "ignore" } }
 * ```
 *
 * Checks the file leaves out keep the severity of the profile it is based on (`basedOn`,
 * default "MarcXML Bib Import"). {@link parseValidationProfile} names every wrong key with its
 * line; {@link exportValidationProfile} writes a profile as such a file.
 */
import { CHECK_IDS, isCheckId, type CheckId } from "./checks.js";

export const CHECK_SEVERITIES = ["error", "warning", "ignore"] as const;
export type CheckSeverity = (typeof CHECK_SEVERITIES)[number];

/** A validation exception profile: a severity for every check. */
export interface ValidationProfile {
  readonly name: string;
  /** The built-in profile a file copied, when it came from a file. */
  readonly basedOn?: string;
  readonly checks: Readonly<Record<CheckId, CheckSeverity>>;
}

/**
 * "MarcXML Bib Import", marcgate's reading of the profile Ex Libris recommends for imports.
 * Errors are what makes a record unusable or wrong as a bibliographic record (a damaged
 * structure, a leader that is not a bibliographic one, no 245, a non-repeatable field repeated,
 * an 008 of the wrong length or with an undefined type of date); what older but sound catalog
 * records often carry (obsolete tags and indicator values, codes MARC 21 added or withdrew) is
 * a warning. The severities were checked against the real records of the shared corpus (see
 * docs/validation.md).
 */
const MARCXML_BIB_IMPORT: Readonly<Record<CheckId, CheckSeverity>> = {
  "structure.damaged": "error",
  "structure.repaired": "warning",
  "leader.length": "error",
  "leader.structure": "warning",
  "leader.record-status": "warning",
  "leader.type-of-record": "error",
  "leader.bibliographic-level": "error",
  "leader.type-of-control": "warning",
  "leader.character-coding": "error",
  "leader.encoding-level": "warning",
  "leader.descriptive-cataloging-form": "warning",
  "leader.multipart-level": "warning",
  "field.245-missing": "error",
  "field.non-repeatable": "error",
  "field.undefined-tag": "warning",
  "field.obsolete-tag": "warning",
  "field.kind": "error",
  "indicator.invalid": "warning",
  "subfield.undefined": "warning",
  "880.linkage": "warning",
  "008.missing": "warning",
  "008.length": "warning",
  "008.type-of-date": "error",
  "008.material": "warning",
  "008.modified-record": "warning",
  "008.cataloging-source": "warning",
  "006.length": "warning",
  "006.form-of-material": "warning",
  "006.material": "warning",
  // An authority record is held by leader.type-of-record already.
  "authority.heading-missing": "ignore",
};

/**
 * "MarcXML Authority Import", the profile authority records (leader/06 `z`) are validated with
 * whatever the Connexion profile names for bibliographic records: a sound structure, a heading
 * (1XX) and an 008 of 40 characters are errors; the checks written for MARC 21 Bibliographic
 * (its field table, leader/07-19 and 008 codes, 245, 006) do not apply to MARC 21 Authority and
 * are ignored.
 */
const MARCXML_AUTHORITY_IMPORT: Readonly<Record<CheckId, CheckSeverity>> = {
  ...(Object.fromEntries(CHECK_IDS.map((id) => [id, "ignore"])) as Record<CheckId, CheckSeverity>),
  "structure.damaged": "error",
  "structure.repaired": "warning",
  "leader.length": "error",
  "leader.structure": "warning",
  "leader.record-status": "warning",
  "leader.character-coding": "error",
  "field.kind": "error",
  "880.linkage": "warning",
  "008.missing": "error",
  "008.length": "error",
  "authority.heading-missing": "error",
};

/** The validation exception profile authority records are validated with. */
export const AUTHORITY_VALIDATION_PROFILE = "MarcXML Authority Import";

/** The validation exception profiles marcgate ships, by name. */
export const BUILT_IN_PROFILES: Readonly<Record<string, ValidationProfile>> = {
  "MarcXML Bib Import": { name: "MarcXML Bib Import", checks: MARCXML_BIB_IMPORT },
  [AUTHORITY_VALIDATION_PROFILE]: {
    name: AUTHORITY_VALIDATION_PROFILE,
    checks: MARCXML_AUTHORITY_IMPORT,
  },
};

/** The profile a Connexion profile names when it names none. */
export const DEFAULT_VALIDATION_PROFILE = "MarcXML Bib Import";

/** Whether a name is a built-in validation exception profile (else it names a file). */
export function isBuiltInValidationProfile(name: string): boolean {
  return Object.hasOwn(BUILT_IN_PROFILES, name);
}

/** What is wrong with a profile file: the key, and its line when known. */
export interface ValidationProfileError {
  readonly key: string;
  readonly line?: number;
  readonly message: string;
}

/** `FILE:LINE: "key": message`. */
export function formatValidationProfileError(error: ValidationProfileError, file: string): string {
  return `${file}${error.line !== undefined ? `:${error.line}` : ""}: "${error.key}": ${error.message}`;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return line;
}

/** The line of a key in the JSON text (its first occurrence as a quoted key). */
function lineOfKey(text: string, key: string): number | undefined {
  const at = text.search(new RegExp(`${escapeRegExp(JSON.stringify(key))}\\s*:`));
  return at === -1 ? undefined : lineAt(text, at);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function quoteList(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

const FILE_KEYS = ["name", "basedOn", "checks"] as const;

/**
 * Errors listed with their line, at most; the rest are counted in one last error. Finding a
 * key's line searches the text, so listing every one of 10,000 bad keys was quadratic (3 s).
 */
export const MAX_PROFILE_ERRORS = 100;

/**
 * Reads a validation exception profile file (JSON text). Every key that is unknown, of the
 * wrong type or value gives one error with its line; a JSON syntax error gives its line.
 *
 * @example
 * ```ts
 * parseValidationProfile('{ "name": "Ours", "checks": { "indicator.invalid": "error" } }');
 * // { profile: { name: "Ours", basedOn: "MarcXML Bib Import", checks: { …, "indicator.invalid": "error" } } }
 * parseValidationProfile('{ "name": "Ours",\n  "checks": { "leader.typo": "error" } }').errors;
 * // [{ key: "checks.leader.typo", line: 2, message: "unknown check; … " }]
 * ```
 */
/** A profile is three levels deep; more is not a profile, and JSON.parse need not see it. */
const MAX_JSON_DEPTH = 32;

/**
 * The offset where JSON text opens its `max + 1`th nested array or object, if it does (strings
 * skipped). One pass: a file of 400,000 `[` is refused in linear time, not handed to JSON.parse.
 */
function tooDeep(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

export function parseValidationProfile(
  text: string,
):
  { readonly profile: ValidationProfile } | { readonly errors: readonly ValidationProfileError[] } {
  const deep = tooDeep(text, MAX_JSON_DEPTH);
  if (deep !== undefined) {
    return {
      errors: [
        {
          key: "(file)",
          line: lineAt(text, deep),
          message: `not a validation profile: nested deeper than ${MAX_JSON_DEPTH} levels at offset ${deep} (a profile is a name and a table of checks)`,
        },
      ],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const lineColumn = /line (\d+) column/.exec(message);
    const line = lineColumn
      ? Number(lineColumn[1])
      : position
        ? lineAt(text, Number(position[1]))
        : undefined;
    return {
      errors: [
        { key: "(file)", ...(line !== undefined ? { line } : {}), message: `not JSON: ${message}` },
      ],
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      errors: [
        {
          key: "(file)",
          line: 1,
          message:
            'a validation profile is a JSON object: { "name": …, "basedOn": …, "checks": { … } }',
        },
      ],
    };
  }
  const given = value as Record<string, unknown>;
  const errors: ValidationProfileError[] = [];
  let unlisted = 0;
  const fail = (key: string, message: string, lookup = key): void => {
    if (errors.length >= MAX_PROFILE_ERRORS) {
      unlisted++;
      return;
    }
    const line = lineOfKey(text, lookup);
    errors.push({ key, ...(line !== undefined ? { line } : {}), message });
  };
  for (const key of Object.keys(given)) {
    if (!(FILE_KEYS as readonly string[]).includes(key)) {
      fail(key, `unknown key; a validation profile has ${FILE_KEYS.join(", ")}`);
    }
  }
  const name = given["name"];
  if (name === undefined) {
    errors.push({ key: "name", line: 1, message: "is required (the profile's name)" });
  } else if (typeof name !== "string" || name.trim() === "") {
    fail("name", `must be a non-empty string, not ${JSON.stringify(name)}`);
  } else if (isBuiltInValidationProfile(name)) {
    fail("name", `"${name}" is the name of a built-in profile; give the copy a name of its own`);
  }
  const basedOn = given["basedOn"] ?? DEFAULT_VALIDATION_PROFILE;
  let base: ValidationProfile | undefined;
  if (typeof basedOn !== "string" || !isBuiltInValidationProfile(basedOn)) {
    fail(
      "basedOn",
      `${JSON.stringify(basedOn)} is not a built-in profile; use one of ${quoteList(Object.keys(BUILT_IN_PROFILES))}`,
    );
  } else base = BUILT_IN_PROFILES[basedOn];
  const checks: Record<string, CheckSeverity> = { ...(base?.checks ?? {}) };
  const given_checks = given["checks"];
  if (given_checks !== undefined) {
    if (typeof given_checks !== "object" || given_checks === null || Array.isArray(given_checks)) {
      fail(
        "checks",
        'must be an object of check ids and severities, e.g. { "indicator.invalid": "error" }',
      );
    } else {
      for (const [id, severity] of Object.entries(given_checks as Record<string, unknown>)) {
        if (!isCheckId(id)) {
          fail(
            `checks.${id}`,
            `unknown check; the checks are ${CHECK_IDS.join(", ")} (marcgate validation show "${DEFAULT_VALIDATION_PROFILE}")`,
            id,
          );
        } else if (
          typeof severity !== "string" ||
          !(CHECK_SEVERITIES as readonly string[]).includes(severity)
        ) {
          fail(
            `checks.${id}`,
            `${JSON.stringify(severity)} is not a severity; use ${quoteList(CHECK_SEVERITIES)}`,
            id,
          );
        } else checks[id] = severity as CheckSeverity;
      }
    }
  }
  if (unlisted > 0)
    errors.push({ key: "(file)", message: `${unlisted} more error(s) like these, not listed` });
  if (errors.length > 0 || base === undefined || typeof name !== "string") {
    return { errors };
  }
  return {
    profile: { name, basedOn: base.name, checks: checks as Record<CheckId, CheckSeverity> },
  };
}

/** A profile as a file to copy and change (every check listed, in check order). */
export function exportValidationProfile(profile: ValidationProfile): string {
  const copy = {
    name: profile.basedOn === undefined ? `${profile.name} (copy)` : profile.name,
    basedOn: profile.basedOn ?? profile.name,
    checks: Object.fromEntries(CHECK_IDS.map((id) => [id, profile.checks[id]])),
  };
  return `${JSON.stringify(copy, null, 2)}\n`;
}

/** Parsed profile files, by text (a Connexion profile's file is re-read on every export). */
const parsed = new Map<string, ValidationProfile | string>();
const MAX_PARSED = 64;

/**
 * The validation exception profile a Connexion profile names: a built-in name, or the name of a
 * file whose text is given (stored with the Connexion profile). An error line when the file is
 * missing or does not parse.
 */
export function resolveValidationProfile(
  name: string,
  fileText: string | undefined,
): { readonly profile: ValidationProfile } | { readonly error: string } {
  const builtIn = BUILT_IN_PROFILES[name];
  if (builtIn && isBuiltInValidationProfile(name)) return { profile: builtIn };
  if (fileText === undefined) {
    return { error: `the validation profile file ${name} is not stored with the profile` };
  }
  let result = parsed.get(fileText);
  if (result === undefined) {
    const read = parseValidationProfile(fileText);
    result =
      "profile" in read
        ? read.profile
        : read.errors.map((e) => formatValidationProfileError(e, name)).join("; ");
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(fileText, result);
  }
  return typeof result === "string" ? { error: result } : { profile: result };
}
