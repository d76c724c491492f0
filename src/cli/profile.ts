/**
 * `marcgate profile`: an institution's OCLC Connexion integration profiles (its default one, and
 * others a logon ID `INSTITUTION/CODE` reaches), each from a JSON file.
 */
import { zoneFormatConflict } from "../import/target-format.js";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { hashPassword } from "../import/password.js";
import {
  MATCH_METHOD_NAMES,
  CONNEXION_INTEGRATION_TYPE,
  describeProfile,
  parseProfile,
  loadConnexionProfile,
  ruleFileNames,
  type StoredProfileSettings,
} from "../import/profile.js";
import { CatalogError, type Catalog } from "../catalog/catalog.js";
import { logonIdFor } from "../connexion/logon-id.js";
import {
  CATALOG_HELP,
  CATALOG_OPTIONS,
  requireOption,
  requireZone,
  withCatalog,
} from "./catalog-options.js";
import { formatRuleError } from "../rules/parser.js";
import { PREDEFINED_MERGE_METHODS } from "../rules/predefined-merge.js";
import { BUILT_IN_PROFILES } from "../validation/profile.js";
import { readRuleFile, ruleFileKind } from "./rule-files.js";
import { formatTable } from "./table.js";
import { readValidationProfileFile } from "./validation.js";
import { CommandError, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate profile import --institution CODE [--profile P] FILE.json [--data DIR | --db URL]
       marcgate profile show --institution CODE [--profile P] [--json] [--data DIR | --db URL]
       marcgate profile list --institution CODE [--data DIR | --db URL]
       marcgate profile default|delete --institution CODE --profile P [--data DIR | --db URL]

The institution's "OCLC Connexion" integration profiles. The first one is its default: the
Connexion logon ID CODE reaches it. Others are added with --profile P and reached with the
logon ID CODE/P, each with its own password and settings (docs/connexion.md). A profile file
is JSON with the settings of Alma's profile page:
  { "code": "CONNEXION", "name": "OCLC Connexion", "integrationType": "OCLC Connexion",
    "useNetworkZone": false, "targetFormat": "MARC21",
    "normalization": [], "validationProfile": "MarcXML Bib Import",
    "serialMatchMethod": "Unique OCLC Identifier",
    "nonSerialMatchMethod": "Unique OCLC Identifier",
    "mergeMethod": "Overlay all fields but local",
    "doNotOverrideLowerBriefLevel": false, "doNotOverrideOlderVersion": false,
    "synchronizeWithExternalCatalog": "Publish bibliographic records",
    "password": "..." }
Settings left out take these values; "code" is required, and "password" the first time (it
is the password Connexion sends; stored only as a salted hash; "" lets clients export with no
password). Importing again replaces the profile of that code; without "password" the stored
one is kept. Without --profile the file's "code" must be the default profile's (or the first
profile's); with --profile P it is P (a "code" in the file must then say P).
Rule files (Alma's rule languages, see docs/rules.md), paths relative to FILE.json:
"normalization": ["fix-oclc.txt", ...] run in order after the initial normalization;
"mergeMethod": a predefined method above or a merge-rule file; "briefLevelRules": a
brief-level rule file (default: marcgate's rules); "validationProfile": a built-in validation
exception profile or a validation profile file (marcgate validation --help). They are checked (FILE:LINE:COLUMN on an
error, nothing saved) and kept with the profile: import it again after changing one.
Match methods (leader/07 s or i: "serialMatchMethod", else "nonSerialMatchMethod"; see
docs/match-methods.md): ${MATCH_METHOD_NAMES.slice(0, 4)
  .map((n) => JSON.stringify(n))
  .join(", ")},
${MATCH_METHOD_NAMES.slice(4)
  .map((n) => JSON.stringify(n))
  .join(", ")}
(Alma's spellings such as "ISBN Match Method" are accepted). "Multi-step" runs the methods
listed in "serialMatchSteps" / "nonSerialMatchSteps" in order, e.g. ["Unique OCLC Identifier",
"ISBN/ISSN", "Title and author"]; the first that finds a record decides.
  import    check FILE.json and save it as the institution's profile (set: the same)
  show      print the profile (the password as "(set)"); --json prints a file to import again
  list      the institution's profiles: code, name, default, the logon ID that reaches each
  default   make the profile P the default (the logon ID CODE reaches it from then on)
  delete    delete the profile P (not the default: make another the default first)
  --profile P  the profile of code P (default: the institution's default profile)
${CATALOG_HELP}Exit status 1 when the file has errors (each names its setting) or the institution is unknown.
`;

async function currentProfile(
  catalog: Catalog,
  institution: string,
  code?: string,
): Promise<StoredProfileSettings | undefined> {
  const loaded = await loadConnexionProfile(catalog, institution, code);
  if (loaded && "error" in loaded) throw new CommandError(loaded.error);
  return loaded?.profile;
}

export async function profileCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      institution: { type: "string" },
      profile: { type: "string" },
      json: { type: "boolean" },
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  const code = requireOption(values.institution, "--institution");
  const profileCode = values.profile;
  if (action === "import" || action === "set") {
    if (rest.length !== 1)
      throw new UsageError("name one profile file: profile import --institution CODE FILE.json");
    const file = rest[0]!;
    let settings: unknown;
    try {
      settings = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      if (error instanceof SyntaxError)
        throw new CommandError(`${file}: not JSON: ${error.message}`);
      throw error;
    }
    if (profileCode !== undefined && typeof settings === "object" && settings !== null) {
      const given = (settings as { code?: unknown }).code;
      if (given !== undefined && given !== profileCode) {
        process.stderr.write(
          `${file}: "code": ${JSON.stringify(given)} is not the profile --profile names (${profileCode})\n`,
        );
        return 1;
      }
      settings = { ...settings, code: profileCode };
    }
    const checked = parseProfile(settings);
    if ("errors" in checked) {
      for (const e of checked.errors) process.stderr.write(`${file}: "${e.key}": ${e.message}\n`);
      return 1;
    }
    return withCatalog(values, async (catalog) => {
      const zone = await requireZone(catalog, code);
      if (zone.kind !== "institution") {
        throw new CommandError(
          `${code} is a network zone; a Connexion profile belongs to an institution`,
        );
      }
      const { profile, password } = checked.input;
      const previous = await currentProfile(catalog, zone.code, profile.code);
      const defaultProfile = previous ? undefined : await currentProfile(catalog, zone.code);
      if (profileCode === undefined && defaultProfile) {
        // A second profile is added on purpose only: a file with another code is not the
        // default profile renamed (Connexion clients' logon IDs name codes).
        process.stderr.write(
          `${file}: "code": ${zone.code}'s default OCLC Connexion profile is ${defaultProfile.code}, not ${profile.code}; to add the profile ${profile.code} beside it, say --profile ${profile.code}\n`,
        );
        return 1;
      }
      const target = profile.useNetworkZone ? zone.network : zone.code;
      const conflict = target
        ? await zoneFormatConflict(catalog, target, profile.targetFormat)
        : undefined;
      if (conflict) {
        process.stderr.write(`${file}: "targetFormat": ${conflict}\n`);
        return 1;
      }
      let passwordHash = previous?.passwordHash;
      if (password !== undefined) passwordHash = await hashPassword(password);
      if (passwordHash === undefined) {
        process.stderr.write(`${file}: "password": is required (the password Connexion sends)\n`);
        return 1;
      }
      const ruleFiles: Record<string, string> = {};
      const problems: string[] = [];
      const expected = (name: string): "merge" | "brief-level" | "normalization" =>
        name === profile.mergeMethod
          ? "merge"
          : name === profile.briefLevelRules
            ? "brief-level"
            : "normalization";
      for (const name of ruleFileNames(profile)) {
        const path = resolve(dirname(file), name);
        if (name === profile.validationProfile) {
          const read = await readValidationProfileFile(path);
          if ("error" in read) {
            problems.push(
              `${file}: "validationProfile": "${name}" is neither a built-in validation profile (${Object.keys(BUILT_IN_PROFILES).join(", ")}) nor a readable validation profile file: ${read.error}`,
            );
          } else if ("errors" in read) problems.push(...read.errors);
          else ruleFiles[name] = read.text;
          continue;
        }
        const read = await readRuleFile(path);
        if ("error" in read) {
          const key =
            expected(name) === "merge"
              ? "mergeMethod"
              : expected(name) === "brief-level"
                ? "briefLevelRules"
                : "normalization";
          problems.push(
            key === "mergeMethod"
              ? `${file}: "mergeMethod": "${name}" is neither a predefined merge method (${Object.keys(PREDEFINED_MERGE_METHODS).join(", ")}) nor a readable merge-rule file: ${read.error}`
              : `${file}: "${key}": ${read.error}`,
          );
          continue;
        }
        problems.push(...read.file.parsed.errors.map((e) => formatRuleError(e, path)));
        const kind = ruleFileKind(read.file.parsed);
        if (read.file.parsed.errors.length === 0 && kind !== expected(name)) {
          problems.push(
            `${path}: holds ${kind} rules, but the profile uses it for ${expected(name)}`,
          );
        }
        ruleFiles[name] = read.file.text;
      }
      if (problems.length > 0) {
        for (const line of problems) process.stderr.write(`${line}\n`);
        return 1;
      }
      const stored: StoredProfileSettings = {
        ...profile,
        passwordHash,
        ...(Object.keys(ruleFiles).length > 0 ? { ruleFiles } : {}),
      };
      await catalog.setIntegrationProfile({
        institution: zone.code,
        type: CONNEXION_INTEGRATION_TYPE,
        code: profile.code,
        settings: stored,
      });
      process.stdout.write(
        `${previous ? "replaced" : "saved"} the OCLC Connexion profile ${profile.code} of ${zone.code}` +
          (password === undefined ? " (password unchanged)" : "") +
          (defaultProfile ? ` (Connexion logon ID ${logonIdFor(zone.code, profile.code)})` : "") +
          "\n",
      );
      return 0;
    });
  }
  if (action === "show") {
    if (rest.length !== 0) throw new UsageError("profile show takes no file");
    return withCatalog(values, async (catalog) => {
      const zone = await requireZone(catalog, code);
      const loaded = await loadConnexionProfile(catalog, zone.code, profileCode);
      if (loaded && "error" in loaded) throw new CommandError(loaded.error);
      if (!loaded) {
        throw new CommandError(
          profileCode === undefined
            ? `${zone.code} has no OCLC Connexion profile (marcgate profile import --institution ${zone.code} FILE.json)`
            : `${zone.code} has no OCLC Connexion profile ${profileCode} (marcgate profile list --institution ${zone.code})`,
        );
      }
      const { profile, isDefault } = loaded;
      const described = describeProfile(profile);
      if (values.json) {
        const settings = Object.fromEntries(
          Object.entries(described).filter(([key]) => key !== "password" && key !== "ruleFiles"),
        );
        process.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
      } else {
        const lines = {
          ...described,
          default: isDefault ? "yes" : "no",
          logonId: logonIdFor(zone.code, isDefault ? undefined : profile.code),
        };
        const width = Math.max(...Object.keys(lines).map((k) => k.length)) + 1;
        for (const [key, value] of Object.entries(lines)) {
          process.stdout.write(
            `${(key + ":").padEnd(width)} ${Array.isArray(value) ? JSON.stringify(value) : String(value)}\n`,
          );
        }
      }
      return 0;
    });
  }
  if (action === "list") {
    if (rest.length !== 0) throw new UsageError("profile list takes no file");
    return withCatalog(values, async (catalog) => {
      const zone = await requireZone(catalog, code);
      const profiles = (await catalog.integrationProfiles(zone.code)).filter(
        (p) => p.type === CONNEXION_INTEGRATION_TYPE,
      );
      if (profiles.length === 0) {
        process.stdout.write(`${zone.code} has no OCLC Connexion profile\n`);
        return 0;
      }
      const rows = profiles.map((p) => {
        const name = (p.settings as { name?: unknown }).name;
        return [
          p.code,
          typeof name === "string" ? name : "",
          p.isDefault ? "yes" : "",
          logonIdFor(zone.code, p.isDefault ? undefined : p.code),
          p.updated.toISOString(),
        ];
      });
      const columns = [
        { heading: "code" },
        { heading: "name", max: 40 },
        { heading: "default" },
        { heading: "logon ID" },
        { heading: "updated" },
      ];
      for (const line of formatTable(columns, rows)) process.stdout.write(`${line}\n`);
      return 0;
    });
  }
  if (action === "default" || action === "delete") {
    if (rest.length !== 0) throw new UsageError(`profile ${action} takes no file`);
    const profile = requireOption(profileCode, "--profile");
    return withCatalog(values, async (catalog) => {
      const zone = await requireZone(catalog, code);
      try {
        if (action === "default") {
          await catalog.setDefaultIntegrationProfile(
            zone.code,
            CONNEXION_INTEGRATION_TYPE,
            profile,
          );
        } else {
          await catalog.deleteIntegrationProfile(zone.code, CONNEXION_INTEGRATION_TYPE, profile);
        }
      } catch (error) {
        if (error instanceof CatalogError) {
          throw new CommandError(
            error.code === "unknown-profile"
              ? `${zone.code} has no OCLC Connexion profile ${profile} (marcgate profile list --institution ${zone.code})`
              : error.message,
          );
        }
        throw error;
      }
      process.stdout.write(
        action === "default"
          ? `the OCLC Connexion profile ${profile} is the default of ${zone.code} (Connexion logon ID ${zone.code})\n`
          : `deleted the OCLC Connexion profile ${profile} of ${zone.code}\n`,
      );
      return 0;
    });
  }
  throw new UsageError(
    action === undefined
      ? "say import, show, list, default or delete"
      : `unknown action "${action}"; say import, show, list, default or delete`,
  );
}
