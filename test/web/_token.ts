/**
 * An API token for tests that call the HTTP API: a Viewer account made on the catalog, with
 * that role in every institution the catalog has when it is made.
 */
import { randomBytes } from "node:crypto";
import type { Catalog } from "../../src/catalog/catalog.js";
import { hashPassword } from "../../src/import/password.js";
import { Auth } from "../../src/web/auth.js";

/** The `Authorization` header of a new Viewer's token. */
export async function apiToken(catalog: Catalog): Promise<{ authorization: string }> {
  const name = `viewer-${randomBytes(4).toString("hex")}`;
  const institutions = (await catalog.zones()).filter((z) => z.kind === "institution");
  await catalog.addUser({
    name,
    roles: institutions.map((z) => ({ institution: z.code, role: "Viewer" as const })),
    passwordHash: await hashPassword("not used here"),
  });
  const { secret } = await new Auth(catalog).createToken(name, "test");
  return { authorization: `Bearer ${secret}` };
}
