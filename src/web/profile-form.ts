/**
 * The profile wizard's data side, shared by the pages and the API: the form's fields → the
 * settings object {@link parseProfile} checks (so the browser, the API and `marcgate profile
 * import` accept and refuse the same things, with the same messages), and saving it.
 */
import { zoneFormatConflict } from "../import/target-format.js";
import type { Catalog, Zone } from "../catalog/catalog.js";
import { logonIdFor } from "../connexion/logon-id.js";
import { hashPassword } from "../import/password.js";
import {
  CONNEXION_INTEGRATION_TYPE,
  loadConnexionProfile,
  parseProfile,
  ruleFileNames,
  type ConnexionProfile,
  type ProfileError,
  type StoredProfileSettings,
} from "../import/profile.js";
import { parseRules } from "../rules/parser.js";
import { ruleFileKind } from "../rules/file-kind.js";
import { parseValidationProfile } from "../validation/profile.js";

/** What a stored file is for: rules of a kind, or a validation profile (JSON). */
export type StoredFileKind = ReturnType<typeof ruleFileKind> | "validation";

/** One problem of a stored file, at its line when known. */
export interface StoredFileError {
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/**
 * Checks a file kept with the profile: a validation profile (JSON, `parseValidationProfile`) or
 * rules (`parseRules`, the checks of `marcgate rules check`), with every error at its line.
 */
export function checkStoredFile(text: string): {
  readonly kind: StoredFileKind;
  readonly errors: readonly StoredFileError[];
  readonly rules: number;
} {
  if (text.trimStart().startsWith("{")) {
    const parsed = parseValidationProfile(text);
    return {
      kind: "validation",
      errors:
        "errors" in parsed
          ? parsed.errors.map((e) => ({
              ...(e.line !== undefined ? { line: e.line } : {}),
              message: `"${e.key}": ${e.message}`,
            }))
          : [],
      rules: 0,
    };
  }
  const parsed = parseRules(text);
  return {
    kind: ruleFileKind(parsed),
    errors: parsed.errors.map((e) => ({
      line: e.at.line,
      column: e.at.column,
      message: e.message,
    })),
    rules: parsed.rules.length,
  };
}

/** The kind of file a profile setting names. */
export function expectedKind(profile: ConnexionProfile, name: string): StoredFileKind {
  if (name === profile.mergeMethod) return "merge";
  if (name === profile.briefLevelRules) return "brief-level";
  if (name === profile.validationProfile) return "validation";
  return "normalization";
}

/** Page 1 keys (definition) and page 2 keys (actions), as the form names them. */
export const PAGE_1_KEYS = ["code", "name", "useNetworkZone", "integrationType"] as const;

/** A multi-step list typed as "ISBN/ISSN, Title and author" (left out when empty). */
function steps(form: Readonly<Record<string, string>>, key: string): Record<string, string[]> {
  const list = (form[key] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return list.length > 0 ? { [key]: list } : {};
}

/** The form's text fields → profile settings (checkboxes are "on" when ticked). */
export function settingsFromForm(
  form: Readonly<Record<string, string>>,
  page: 1 | 2,
): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    code: form["code"] ?? "",
    name: form["name"] ?? "",
    integrationType: form["integrationType"] ?? "",
    useNetworkZone: form["useNetworkZone"] === "on",
  };
  if (page === 1) return settings;
  return {
    ...settings,
    targetFormat: form["targetFormat"] ?? "",
    normalization: Object.keys(form)
      .filter((k) => k.startsWith("normalization:") && form[k] === "on")
      .map((k) => k.slice("normalization:".length)),
    validationProfile: form["validationProfile"] ?? "",
    serialMatchMethod: form["serialMatchMethod"] ?? "",
    nonSerialMatchMethod: form["nonSerialMatchMethod"] ?? "",
    mergeMethod: form["mergeMethod"] ?? "",
    doNotOverrideLowerBriefLevel: form["doNotOverrideLowerBriefLevel"] === "on",
    doNotOverrideOlderVersion: form["doNotOverrideOlderVersion"] === "on",
    synchronizeWithExternalCatalog: form["synchronizeWithExternalCatalog"] ?? "",
    ...steps(form, "serialMatchSteps"),
    ...steps(form, "nonSerialMatchSteps"),
    ...(form["briefLevelRules"] ? { briefLevelRules: form["briefLevelRules"] } : {}),
    ...(form["password"] ? { password: form["password"] } : {}),
  };
}

/**
 * The institution's stored profile of that code (none: its default profile), whether it is the
 * default, or the reason it cannot be read.
 */
export async function currentProfile(
  catalog: Catalog,
  institution: string,
  code?: string,
): Promise<{ profile?: StoredProfileSettings; isDefault?: boolean; error?: string }> {
  const loaded = await loadConnexionProfile(catalog, institution, code);
  if (!loaded) return {};
  return "error" in loaded
    ? { error: loaded.error }
    : { profile: loaded.profile, isDefault: loaded.isDefault };
}

/** What is wrong with a profile code for adding a profile, or for editing the one `editing`. */
export async function profileCodeProblem(
  catalog: Catalog,
  institution: string,
  code: string,
  editing: string | undefined,
): Promise<string | undefined> {
  if (editing !== undefined) {
    return code === editing
      ? undefined
      : `a profile's code cannot change (Connexion logon IDs name it: ${logonIdFor(institution, editing)}); add a profile ${code} instead`;
  }
  const existing = await catalog.integrationProfile(institution, CONNEXION_INTEGRATION_TYPE, code);
  return existing
    ? `${institution} has an OCLC Connexion profile ${code} already: edit it, or give the new one another code`
    : undefined;
}

/**
 * Checks settings and saves them as the institution's OCLC Connexion profile of their code (its
 * first profile is its default). The password is required the first time (kept when left out
 * later); rule files the profile names must be among its stored rule files (a new profile starts
 * with a copy of the default profile's), of the right kind. `adding`: refused when the code is
 * taken; `editing`: the profile of that code, whose code cannot change. Neither (the API): the
 * profile of the settings' code, new or replaced. A network zone only for a member.
 */
export async function saveProfile(
  catalog: Catalog,
  institution: Zone,
  settings: Readonly<Record<string, unknown>>,
  options: {
    readonly ruleFiles?: Readonly<Record<string, string>>;
    readonly adding?: boolean;
    readonly editing?: string;
  } = {},
): Promise<
  | { readonly profile: StoredProfileSettings; readonly isDefault: boolean }
  | { readonly errors: readonly ProfileError[] }
> {
  const checked = parseProfile(settings);
  if ("errors" in checked) return checked;
  const { profile, password } = checked.input;
  const errors: ProfileError[] = [];
  const previous = await currentProfile(catalog, institution.code, profile.code);
  if (options.adding || options.editing !== undefined) {
    const problem = await profileCodeProblem(
      catalog,
      institution.code,
      profile.code,
      options.adding ? undefined : options.editing,
    );
    if (problem) errors.push({ key: "code", message: problem });
  }
  // A new profile's rule files: a copy of the default profile's, to choose from.
  const base = previous.profile ?? (await currentProfile(catalog, institution.code)).profile;
  if (profile.useNetworkZone && !institution.network) {
    errors.push({
      key: "useNetworkZone",
      message: `${institution.code} is not a member of a network zone`,
    });
  }
  const zone = profile.useNetworkZone ? institution.network : institution.code;
  const conflict = zone ? await zoneFormatConflict(catalog, zone, profile.targetFormat) : undefined;
  if (conflict) errors.push({ key: "targetFormat", message: conflict });
  const passwordHash =
    password !== undefined ? await hashPassword(password) : previous.profile?.passwordHash;
  if (passwordHash === undefined) {
    errors.push({ key: "password", message: "is required (the password OCLC Connexion sends)" });
  }
  const ruleFiles = { ...(base?.ruleFiles ?? {}), ...(options.ruleFiles ?? {}) };
  const KEYS: Readonly<Record<StoredFileKind, string>> = {
    merge: "mergeMethod",
    "brief-level": "briefLevelRules",
    validation: "validationProfile",
    normalization: "normalization",
    mixed: "normalization",
  };
  for (const name of ruleFileNames(profile)) {
    const text = ruleFiles[name];
    const expected = expectedKind(profile, name);
    const key = KEYS[expected];
    if (text === undefined) {
      errors.push({
        key,
        message: `"${name}" is not a stored file (add it on the Rule files page)`,
      });
      continue;
    }
    const checked = checkStoredFile(text);
    if (checked.errors.length > 0) {
      errors.push({
        key,
        message: `the file "${name}" has ${checked.errors.length} error(s); fix it on the Rule files page`,
      });
    } else if (checked.kind !== expected) {
      errors.push({
        key,
        message: `the file "${name}" holds ${checked.kind} rules, not ${expected}`,
      });
    }
  }
  if (errors.length > 0) return { errors };
  const stored: StoredProfileSettings = {
    ...profile,
    ...(passwordHash !== undefined ? { passwordHash } : {}),
    ...(Object.keys(ruleFiles).length > 0 ? { ruleFiles } : {}),
  };
  const saved = await catalog.setIntegrationProfile({
    institution: institution.code,
    type: CONNEXION_INTEGRATION_TYPE,
    code: profile.code,
    settings: stored,
  });
  return { profile: stored, isDefault: saved.isDefault };
}
