/** What the Connexion end-to-end tests share: a catalog with an institution and its profile. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApp, type App, type AppOptions } from "../../src/app.js";
import { openCatalog } from "../../src/catalog/open.js";
import type { Catalog } from "../../src/catalog/catalog.js";
import { hashPassword } from "../../src/import/password.js";
import { CONNEXION_INTEGRATION_TYPE, parseProfile } from "../../src/import/profile.js";
import type { DataField, MarcRecord } from "../../src/marc/record.js";

export const INSTITUTION = "01TEST_INST";
export const PASSWORD = "s3cret";

/** Adds the institution and its OCLC Connexion profile (password {@link PASSWORD}). */
export async function setUpInstitution(
  catalog: Catalog,
  settings: Record<string, unknown> = {},
): Promise<void> {
  await catalog.addInstitution({ code: INSTITUTION, name: "Test library" });
  const parsed = parseProfile({ code: "CONNEXION", ...settings });
  assert.ok("input" in parsed);
  await catalog.setIntegrationProfile({
    institution: INSTITUTION,
    type: CONNEXION_INTEGRATION_TYPE,
    code: "CONNEXION",
    settings: { ...parsed.input.profile, passwordHash: await hashPassword(PASSWORD) },
  });
}

/** A data field from `code+value` strings: `data("245", "10", "aTitle")`. */
export function data(tag: string, ind: string, ...subfields: string[]): DataField {
  return {
    tag,
    ind1: ind[0]!,
    ind2: ind[1]!,
    subfields: subfields.map((s) => ({ code: s[0]!, value: s.slice(1) })),
  };
}

/** An OCLC record as Connexion exports it. */
export function oclcRecord(oclc: number | string, title: string): MarcRecord {
  return {
    leader: "00000cam a2200000 a 4500",
    fields: [
      { tag: "001", value: `ocn${String(oclc).padStart(9, "0")}` },
      { tag: "003", value: "OCoLC" },
      { tag: "005", value: "20261128101500.0" },
      { tag: "008", value: "261128s2026    nyu           000 0 eng d" },
      data("040", "  ", "aDLC", "beng", "cDLC"),
      data("100", "1 ", "aCataloger, Ann."),
      data("245", "10", `a${title} /`, "cAnn Cataloger."),
    ],
  };
}

/** marcgate running on a fresh SQLite catalog with the institution and its profile. */
export interface RunningGateway {
  readonly catalog: Catalog;
  readonly app: App;
  /** The server's log lines. */
  readonly lines: string[];
  /** Stops the app, closes the catalog and removes its directory. */
  close(): Promise<void>;
}

/** Starts marcgate on ports chosen by the system, on 127.0.0.1, with these options. */
export async function startGateway(
  options: Omit<AppOptions, "connexionPort" | "httpPort" | "host" | "log">,
): Promise<RunningGateway> {
  const dir = mkdtempSync(join(tmpdir(), "marcgate-gateway-"));
  const opened = await openCatalog({ data: dir });
  assert.ok(opened.catalog);
  const catalog = opened.catalog;
  await setUpInstitution(catalog);
  const lines: string[] = [];
  const app = await startApp(catalog, {
    ...options,
    connexionPort: 0,
    httpPort: 0,
    host: "127.0.0.1",
    log: (line) => lines.push(line),
  });
  return {
    catalog,
    app,
    lines,
    close: async () => {
      await app.close();
      await catalog.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
