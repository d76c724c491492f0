/**
 * The "OCLC Connexion" integration profile: an institution has one or more (its default, and
 * others a Connexion logon ID names by code: see `docs/connexion.md`), its settings in the words
 * of Alma's profile page (the seed). A profile file is JSON:
 *
 * ```json
 * { "code": "CONNEXION", "name": "OCLC Connexion", "integrationType": "OCLC Connexion",
 *   "useNetworkZone": false, "targetFormat": "MARC21",
 *   "normalization": [], "validationProfile": "MarcXML Bib Import",
 *   "serialMatchMethod": "Unique OCLC Identifier", "nonSerialMatchMethod": "Unique OCLC Identifier",
 *   "mergeMethod": "Overlay all fields but local",
 *   "doNotOverrideLowerBriefLevel": false, "doNotOverrideOlderVersion": false,
 *   "synchronizeWithExternalCatalog": "Publish bibliographic records",
 *   "password": "s3cret" }
 * ```
 *
 * {@link parseProfile} checks a file's settings and names every key that is wrong; the catalog
 * stores {@link StoredProfileSettings} (the password only as a salted hash).
 */
import {
  MANAGEMENT_TAGS,
  RECORD_FORMATS,
  type Catalog,
  type ManagementTag,
  type RecordFormat,
} from "../catalog/catalog.js";
import {
  isPredefinedMergeMethodName,
  PREDEFINED_MERGE_METHODS,
} from "../rules/predefined-merge.js";
import {
  BUILT_IN_PROFILES,
  DEFAULT_VALIDATION_PROFILE,
  isBuiltInValidationProfile,
} from "../validation/profile.js";
import { isPasswordHash } from "./password.js";

/** The integration type this profile is, as the catalog files it. */
export const CONNEXION_INTEGRATION_TYPE = "OCLC Connexion";

/**
 * Alma's match methods, by the names marcgate uses (see `docs/match-methods.md`). Every one is
 * offered; "Multi-step" runs the steps listed in `serialMatchSteps`/`nonSerialMatchSteps`.
 */
export const MATCH_METHOD_NAMES = [
  "Unique OCLC Identifier",
  "035 (Other System Identifier)",
  "ISBN/ISSN",
  "024 / 035",
  "001 to MMS ID",
  "Title and author",
  "Multi-step",
] as const;
export type MatchMethodName = (typeof MATCH_METHOD_NAMES)[number];
/** A method a multi-step list may hold: any but "Multi-step" itself. */
export type MatchStepName = Exclude<MatchMethodName, "Multi-step">;

/**
 * Alma's own spellings of the methods (its profile page and match configuration), accepted in a
 * profile file and stored as marcgate's name.
 */
export const MATCH_METHOD_ALIASES: Readonly<Record<string, MatchMethodName>> = {
  "Unique OCLC Identifier Match Method": "Unique OCLC Identifier",
  "035 (Other System Identifier) Match Method": "035 (Other System Identifier)",
  "ISBN Match Method": "ISBN/ISSN",
  "ISSN Match Method": "ISBN/ISSN",
  "ISBN/ISSN Match Method": "ISBN/ISSN",
  "024 / 035 Match Method": "024 / 035",
  "001 to MMS_ID": "001 to MMS ID",
  "001 To MMS_ID Match Method": "001 to MMS ID",
  "Multi Step": "Multi-step",
  "Multi Step Match Method": "Multi-step",
};

/** A method name as given in a profile (marcgate's or Alma's spelling), or `undefined`. */
export function matchMethodByName(name: string): MatchMethodName | undefined {
  return (MATCH_METHOD_NAMES as readonly string[]).includes(name)
    ? (name as MatchMethodName)
    : MATCH_METHOD_ALIASES[name];
}

/** The target format names Alma's page shows, and the short codes, for each format. */
const TARGET_FORMAT_NAMES: Readonly<Record<string, RecordFormat>> = {
  "MARC 21 Bibliographic": "MARC21",
  "UNIMARC Bibliographic": "UNIMARC",
  "KORMARC Bibliographic": "KORMARC",
  "CNMARC Bibliographic": "CNMARC",
};

/** The settings of a profile, as marcgate works with them. */
export interface ConnexionProfile {
  readonly code: string;
  readonly name: string;
  readonly integrationType: typeof CONNEXION_INTEGRATION_TYPE;
  /** Match and save in the institution's network zone. */
  readonly useNetworkZone: boolean;
  readonly targetFormat: RecordFormat;
  /** Normalization rule files (their names), run in order after the initial normalization. */
  readonly normalization: readonly string[];
  /** A built-in validation exception profile's name, or the name of a validation profile file. */
  readonly validationProfile: string;
  readonly serialMatchMethod: MatchMethodName;
  readonly nonSerialMatchMethod: MatchMethodName;
  /** The steps, in order, when `serialMatchMethod` is "Multi-step" (and only then). */
  readonly serialMatchSteps?: readonly MatchStepName[];
  /** The steps, in order, when `nonSerialMatchMethod` is "Multi-step" (and only then). */
  readonly nonSerialMatchSteps?: readonly MatchStepName[];
  /** A predefined merge method's name, or the name of a merge-rule file. */
  readonly mergeMethod: string;
  /**
   * A brief-level rule file's name (a marcgate setting: Alma keeps it in the metadata profile);
   * absent: marcgate's default brief-level rules.
   */
  readonly briefLevelRules?: string;
  readonly doNotOverrideLowerBriefLevel: boolean;
  readonly doNotOverrideOlderVersion: boolean;
  readonly synchronizeWithExternalCatalog: ManagementTag;
}

/**
 * A profile as the catalog stores it: the settings, the password's salted hash, and the text of
 * every rule file it names (read when the profile was imported, so the profile is whole).
 */
export interface StoredProfileSettings extends ConnexionProfile {
  readonly passwordHash?: string;
  readonly ruleFiles?: Readonly<Record<string, string>>;
}

/**
 * The rule files a profile names, in the order they run (normalization, merge, brief level), and
 * its validation profile file (JSON, see src/validation/profile.ts).
 */
export function ruleFileNames(profile: ConnexionProfile): string[] {
  return [
    ...profile.normalization,
    ...(isPredefinedMergeMethodName(profile.mergeMethod) ? [] : [profile.mergeMethod]),
    ...(profile.briefLevelRules !== undefined ? [profile.briefLevelRules] : []),
    ...(isBuiltInValidationProfile(profile.validationProfile) ? [] : [profile.validationProfile]),
  ];
}

/** A profile file's settings once checked: the profile and the password as typed, if given. */
export interface ProfileInput {
  readonly profile: ConnexionProfile;
  readonly password?: string;
}

/** What is wrong with one key of a profile file. */
export interface ProfileError {
  readonly key: string;
  readonly message: string;
}

const DEFAULTS: Omit<ConnexionProfile, "code"> = {
  name: "OCLC Connexion",
  integrationType: CONNEXION_INTEGRATION_TYPE,
  useNetworkZone: false,
  targetFormat: "MARC21",
  normalization: [],
  validationProfile: DEFAULT_VALIDATION_PROFILE,
  serialMatchMethod: "Unique OCLC Identifier",
  nonSerialMatchMethod: "Unique OCLC Identifier",
  mergeMethod: "Overlay all fields but local",
  doNotOverrideLowerBriefLevel: false,
  doNotOverrideOlderVersion: false,
  synchronizeWithExternalCatalog: "Publish bibliographic records",
};

const KEYS = [
  "code",
  "name",
  "integrationType",
  "useNetworkZone",
  "targetFormat",
  "normalization",
  "validationProfile",
  "serialMatchMethod",
  "nonSerialMatchMethod",
  "serialMatchSteps",
  "nonSerialMatchSteps",
  "mergeMethod",
  "doNotOverrideLowerBriefLevel",
  "doNotOverrideOlderVersion",
  "synchronizeWithExternalCatalog",
  "briefLevelRules",
  "password",
] as const;

function quoteList(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

/**
 * Checks a profile file's settings (parsed JSON). Every key that is unknown, of the wrong type or
 * not one of its allowed values gives one error naming it; keys left out take Alma's defaults
 * (`code` is required). The password, if given, is returned as typed, for hashing.
 *
 * @example
 * ```ts
 * parseProfile({ code: "CONNEXION", password: "s3cret" });
 * // { profile: { code: "CONNEXION", name: "OCLC Connexion", … }, password: "s3cret" }
 * parseProfile({ code: "X", mergeMethod: "Overlay" }).errors;
 * // [{ key: "mergeMethod", message: '"Overlay" is not a merge method; use one of …' }]
 * ```
 */
export function parseProfile(
  settings: unknown,
): { readonly input: ProfileInput } | { readonly errors: readonly ProfileError[] } {
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
    return { errors: [{ key: "(file)", message: "a profile is a JSON object of settings" }] };
  }
  const errors: ProfileError[] = [];
  const given = settings as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      errors.push({ key, message: `unknown setting; the settings are ${KEYS.join(", ")}` });
    }
  }
  const fail = (key: string, message: string): undefined => {
    errors.push({ key, message });
    return undefined;
  };
  const text = (key: string): string | undefined => {
    const value = given[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string")
      return fail(key, `must be a string, not ${JSON.stringify(value)}`);
    return value;
  };
  const flag = (key: string): boolean | undefined => {
    const value = given[key];
    if (value === undefined || typeof value === "boolean") return value;
    return fail(key, `must be true or false, not ${JSON.stringify(value)}`);
  };

  const code = text("code");
  if (code === undefined && !errors.some((e) => e.key === "code")) {
    fail("code", "is required (a profile code such as CONNEXION)");
  } else if (code !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(code)) {
    fail("code", `"${code}" must be 1–40 letters, digits, "_" or "-"`);
  }
  const name = text("name");
  if (name !== undefined && name.trim() === "") fail("name", "must not be empty");
  const integrationType = text("integrationType");
  if (integrationType !== undefined && integrationType !== CONNEXION_INTEGRATION_TYPE) {
    fail("integrationType", `"${integrationType}" is not "${CONNEXION_INTEGRATION_TYPE}"`);
  }
  const useNetworkZone = flag("useNetworkZone");
  let targetFormat: RecordFormat | undefined;
  const format = text("targetFormat");
  if (format !== undefined) {
    targetFormat = (RECORD_FORMATS as readonly string[]).includes(format)
      ? (format as RecordFormat)
      : TARGET_FORMAT_NAMES[format];
    if (targetFormat === undefined) {
      fail(
        "targetFormat",
        `"${format}" is not a target format; use one of ${quoteList(RECORD_FORMATS)}`,
      );
    }
  }
  let normalization: string[] | undefined;
  const files = given["normalization"];
  if (files !== undefined) {
    if (!Array.isArray(files) || files.some((f) => typeof f !== "string" || f.trim() === "")) {
      fail("normalization", 'must be a list of rule file names, e.g. ["fix-oclc-import.txt"]');
    } else normalization = files as string[];
  }
  const validationProfile = text("validationProfile");
  if (validationProfile !== undefined && validationProfile.trim() === "") {
    fail(
      "validationProfile",
      `must be one of ${quoteList(Object.keys(BUILT_IN_PROFILES))} or a validation profile file`,
    );
  }
  const matchMethod = (key: string): MatchMethodName | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    const method = matchMethodByName(value);
    if (method === undefined) {
      fail(key, `"${value}" is not a match method; use one of ${quoteList(MATCH_METHOD_NAMES)}`);
    }
    return method;
  };
  const serialMatchMethod = matchMethod("serialMatchMethod");
  const nonSerialMatchMethod = matchMethod("nonSerialMatchMethod");
  const matchSteps = (
    key: string,
    methodKey: "serialMatchMethod" | "nonSerialMatchMethod",
    parsedMethod: MatchMethodName | undefined,
  ): MatchStepName[] | undefined => {
    const value = given[key];
    // The method as it will be: the default when left out; undefined when it is wrong (named).
    const method = given[methodKey] === undefined ? DEFAULTS[methodKey] : parsedMethod;
    if (value === undefined) {
      if (method === "Multi-step") {
        fail(key, `is required when ${methodKey} is "Multi-step": the methods to try, in order`);
      }
      return undefined;
    }
    if (method !== undefined && method !== "Multi-step") {
      return fail(key, `is only used when ${methodKey} is "Multi-step", not "${method}"`);
    }
    if (!Array.isArray(value) || value.length === 0) {
      return fail(
        key,
        'must be a non-empty list of match methods, e.g. ["Unique OCLC Identifier", "ISBN/ISSN"]',
      );
    }
    const steps: MatchStepName[] = [];
    const problems: string[] = [];
    (value as unknown[]).forEach((item, i) => {
      const step = typeof item === "string" ? matchMethodByName(item) : undefined;
      if (step === undefined) {
        problems.push(`step ${i + 1}: ${JSON.stringify(item)} is not a match method`);
      } else if (step === "Multi-step") {
        problems.push(`step ${i + 1}: "Multi-step" cannot be a step of itself`);
      } else if (steps.includes(step)) {
        problems.push(`step ${i + 1}: "${step}" is listed twice`);
      } else steps.push(step);
    });
    if (problems.length > 0) {
      const names = MATCH_METHOD_NAMES.filter((n) => n !== "Multi-step");
      return fail(key, `${problems.join("; ")}; the steps are ${quoteList(names)}`);
    }
    return steps;
  };
  const serialMatchSteps = matchSteps("serialMatchSteps", "serialMatchMethod", serialMatchMethod);
  const nonSerialMatchSteps = matchSteps(
    "nonSerialMatchSteps",
    "nonSerialMatchMethod",
    nonSerialMatchMethod,
  );
  const mergeMethod = text("mergeMethod");
  if (mergeMethod !== undefined && mergeMethod.trim() === "") {
    fail(
      "mergeMethod",
      `must be one of ${quoteList(Object.keys(PREDEFINED_MERGE_METHODS))} or a merge-rule file`,
    );
  }
  const briefLevelRules = text("briefLevelRules");
  if (briefLevelRules !== undefined && briefLevelRules.trim() === "") {
    fail("briefLevelRules", "must be a brief-level rule file name");
  }
  const doNotOverrideLowerBriefLevel = flag("doNotOverrideLowerBriefLevel");
  const doNotOverrideOlderVersion = flag("doNotOverrideOlderVersion");
  let tag = text("synchronizeWithExternalCatalog");
  // Alma's page writes "Don’t publish" with a typographic apostrophe.
  if (tag !== undefined) tag = tag.replace("’", "'");
  if (tag !== undefined && !(MANAGEMENT_TAGS as readonly string[]).includes(tag)) {
    fail(
      "synchronizeWithExternalCatalog",
      `"${tag}" is not a management tag; use one of ${quoteList(MANAGEMENT_TAGS)}`,
    );
  }
  const password = text("password");

  if (errors.length > 0) return { errors };
  const profile: ConnexionProfile = {
    ...DEFAULTS,
    code: code ?? "",
    ...(name !== undefined ? { name } : {}),
    ...(useNetworkZone !== undefined ? { useNetworkZone } : {}),
    ...(targetFormat !== undefined ? { targetFormat } : {}),
    ...(normalization !== undefined ? { normalization } : {}),
    ...(validationProfile !== undefined ? { validationProfile } : {}),
    ...(serialMatchMethod !== undefined ? { serialMatchMethod } : {}),
    ...(nonSerialMatchMethod !== undefined ? { nonSerialMatchMethod } : {}),
    ...(serialMatchSteps !== undefined ? { serialMatchSteps } : {}),
    ...(nonSerialMatchSteps !== undefined ? { nonSerialMatchSteps } : {}),
    ...(mergeMethod !== undefined ? { mergeMethod } : {}),
    ...(briefLevelRules !== undefined ? { briefLevelRules } : {}),
    ...(doNotOverrideLowerBriefLevel !== undefined ? { doNotOverrideLowerBriefLevel } : {}),
    ...(doNotOverrideOlderVersion !== undefined ? { doNotOverrideOlderVersion } : {}),
    ...(tag !== undefined ? { synchronizeWithExternalCatalog: tag as ManagementTag } : {}),
  };
  return { input: password !== undefined ? { profile, password } : { profile } };
}

/**
 * A profile as the catalog gave it back: the settings are checked again (they may have been
 * written by an older marcgate), the hash kept. `undefined` with the errors when they do not pass.
 */
export function storedProfile(
  settings: unknown,
): { readonly profile: StoredProfileSettings } | { readonly errors: readonly ProfileError[] } {
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
    return { errors: [{ key: "(stored)", message: "the stored profile is not an object" }] };
  }
  const { passwordHash, ruleFiles, ...rest } = settings as Record<string, unknown>;
  const parsed = parseProfile(rest);
  if ("errors" in parsed) return parsed;
  if (
    passwordHash !== undefined &&
    (typeof passwordHash !== "string" || !isPasswordHash(passwordHash))
  ) {
    return { errors: [{ key: "passwordHash", message: "the stored password hash is damaged" }] };
  }
  const files: Record<string, string> = {};
  if (ruleFiles !== undefined) {
    if (typeof ruleFiles !== "object" || ruleFiles === null || Array.isArray(ruleFiles)) {
      return { errors: [{ key: "ruleFiles", message: "the stored rule files are damaged" }] };
    }
    for (const [name, text] of Object.entries(ruleFiles)) {
      if (typeof text !== "string") {
        return {
          errors: [{ key: "ruleFiles", message: `the stored rule file ${name} is damaged` }],
        };
      }
      files[name] = text;
    }
  }
  const missing = ruleFileNames(parsed.input.profile).filter((name) => !(name in files));
  if (missing.length > 0) {
    return {
      errors: [
        { key: "ruleFiles", message: `the rule file(s) ${missing.join(", ")} are not stored` },
      ],
    };
  }
  return {
    profile: {
      ...parsed.input.profile,
      ...(typeof passwordHash === "string" ? { passwordHash } : {}),
      ...(Object.keys(files).length > 0 ? { ruleFiles: files } : {}),
    },
  };
}

/** The profile's settings for people: every setting, the password only as "(set)" or "(none)". */
export function describeProfile(profile: StoredProfileSettings): Record<string, unknown> {
  const { passwordHash, ruleFiles, ...settings } = profile;
  return {
    ...settings,
    password: passwordHash !== undefined ? "(set)" : "(none)",
    ...(ruleFiles
      ? {
          ruleFiles: Object.entries(ruleFiles).map(
            ([name, text]) => `${name} (${text.split("\n").length} lines)`,
          ),
        }
      : {}),
  };
}

/**
 * Settings parsed, by the settings object: a catalog that gives the same frozen object for an
 * unchanged profile (SQLite) spares each Connexion export the parsing.
 */
const parsedSettings = new WeakMap<object, ReturnType<typeof storedProfile>>();

function storedProfileOf(settings: unknown): ReturnType<typeof storedProfile> {
  if (typeof settings !== "object" || settings === null || !Object.isFrozen(settings)) {
    return storedProfile(settings);
  }
  let parsed = parsedSettings.get(settings);
  if (!parsed) {
    parsed = storedProfile(settings);
    parsedSettings.set(settings, parsed);
  }
  return parsed;
}

/**
 * An institution's stored OCLC Connexion profile of that code (no code: its default profile):
 * `undefined` when it has none, an error line when the stored settings no longer pass (written
 * by another marcgate, or damaged).
 */
export async function loadConnexionProfile(
  catalog: Pick<Catalog, "integrationProfile">,
  institution: string,
  code?: string,
): Promise<
  | { readonly profile: StoredProfileSettings; readonly isDefault: boolean }
  | { readonly error: string }
  | undefined
> {
  const stored = await catalog.integrationProfile(institution, CONNEXION_INTEGRATION_TYPE, code);
  if (!stored) return undefined;
  const parsed = storedProfileOf(stored.settings);
  if ("errors" in parsed) {
    return {
      error: `the OCLC Connexion profile ${stored.code} of ${institution} is damaged: ${parsed.errors.map((e) => `${e.key}: ${e.message}`).join("; ")}`,
    };
  }
  return { profile: parsed.profile, isDefault: stored.isDefault };
}
