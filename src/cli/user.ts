/** `marcgate user`: staff accounts for the web pages and the API (the first administrator too). */
import { readFile } from "node:fs/promises";
import {
  MIN_PASSWORD,
  USER_ROLES,
  checkUser,
  describeRoles,
  type UserRole,
} from "../catalog/accounts.js";
import type { Catalog } from "../catalog/catalog.js";
import { hashPassword } from "../import/password.js";
import { CATALOG_HELP, CATALOG_OPTIONS, withCatalog } from "./catalog-options.js";
import { formatTable } from "./table.js";
import { CommandError, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate user add NAME [--role ROLE --institution CODE]... [--installation-admin]
                 [--password-file FILE] [--data DIR | --db URL]
       marcgate user role NAME [--role ROLE|none --institution CODE]...
                 [--installation-admin | --no-installation-admin]
       marcgate user password NAME [--password-file FILE]
       marcgate user list

Staff accounts of the web pages (marcgate serve, HTTP port) and the REST API. A user has a role
in each institution they work in:
${USER_ROLES.map((r) => `  "${r}"`).join("\n")}
(Viewer searches and views; Cataloger also resolves the review queue, restores versions and
undoes jobs; General System Administrator also configures profiles and rule files.) They see
only the records, jobs, review queue and profiles of their institutions (and their network
zones' records). Give --role and --institution in pairs, or one --role for every --institution
named; --role without --institution means every institution that exists now (and "General
System Administrator" so given also makes an installation administrator, as migration 14 did
with the accounts of before). "user role" sets
the roles named and keeps the others; --role none takes the role in those institutions away.
--installation-admin: the user manages accounts (the Users page); it gives no institution role.
The password (at least ${MIN_PASSWORD} characters) is read from --password-file (its first line), else
from the environment variable MARCGATE_PASSWORD, else asked for on the terminal (not echoed).
It is stored only as a salted scrypt hash. A new password ends the user's browser sessions.
${CATALOG_HELP}`;

function role(value: string): UserRole {
  const found = USER_ROLES.find((r) => r.toLowerCase() === value.toLowerCase());
  if (!found)
    throw new UsageError(
      `--role "${value}" is not a role; use one of ${USER_ROLES.map((r) => `"${r}"`).join(", ")}`,
    );
  return found;
}

/**
 * The roles the options name, by institution (`undefined`: taken away): --role and
 * --institution in pairs, one --role for every --institution, or --role alone for every
 * institution in `all`.
 */
export function rolesOfOptions(
  roles: readonly string[],
  institutions: readonly string[],
  all: () => Promise<string[]>,
  none: boolean,
): Promise<Map<string, UserRole | undefined>> {
  const chosen = (value: string): UserRole | undefined =>
    none && value.toLowerCase() === "none" ? undefined : role(value);
  if (roles.length === 0 && institutions.length > 0)
    throw new UsageError("--institution needs a --role (give them in pairs)");
  if (roles.length > 1 && roles.length !== institutions.length)
    throw new UsageError(
      `${roles.length} --role for ${institutions.length} --institution: give them in pairs, or one --role for all`,
    );
  const pairs = (codes: readonly string[]): Map<string, UserRole | undefined> =>
    new Map(codes.map((code, i) => [code, chosen(roles[roles.length === 1 ? 0 : i]!)]));
  if (roles.length === 1 && institutions.length === 0) return all().then(pairs);
  return Promise.resolve(pairs(institutions));
}

/** Reads a line from the terminal without echoing it. */
async function prompt(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY)
    throw new CommandError(
      "no password: give --password-file FILE or MARCGATE_PASSWORD (standard input is not a terminal)",
    );
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let typed = "";
    const onData = (chunk: string): void => {
      for (const c of chunk) {
        if (c === "\r" || c === "\n") {
          done();
          resolve(typed);
          return;
        }
        if (c === "\u0003") {
          done();
          reject(new CommandError("cancelled"));
          return;
        }
        if (c === "\u007f" || c === "\b") typed = typed.slice(0, -1);
        else typed += c;
      }
    };
    const done = (): void => {
      input.off("data", onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write("\n");
    };
    input.on("data", onData);
  });
}

async function password(file: string | undefined): Promise<string> {
  let value: string;
  if (file !== undefined) value = (await readFile(file, "utf8")).split(/\r?\n/)[0] ?? "";
  else if (process.env["MARCGATE_PASSWORD"] !== undefined) value = process.env["MARCGATE_PASSWORD"];
  else {
    value = await prompt("Password: ");
    if ((await prompt("Again: ")) !== value) throw new CommandError("the two passwords differ");
  }
  if (value.length < MIN_PASSWORD)
    throw new CommandError(`the password must have at least ${MIN_PASSWORD} characters`);
  return value;
}

export async function userCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      role: { type: "string", multiple: true },
      institution: { type: "string", multiple: true },
      "installation-admin": { type: "boolean" },
      "no-installation-admin": { type: "boolean" },
      "password-file": { type: "string" },
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, name, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]!}"`);
  if (action === "list") {
    return withCatalog(values, async (catalog) => {
      const users = await catalog.users();
      const lines = formatTable(
        [{ heading: "name" }, { heading: "roles" }, { heading: "created" }],
        users.map((u) => [u.name, describeRoles(u), u.created.toISOString()]),
      );
      process.stdout.write(lines.map((l) => `${l}\n`).join(""));
      return 0;
    });
  }
  if (action !== "add" && action !== "password" && action !== "role") {
    throw new UsageError(
      action === undefined ? "say add, password, role or list" : `unknown action "${action}"`,
    );
  }
  if (name === undefined) throw new UsageError(`name the user: user ${action} NAME`);
  const roleOptions = values.role ?? [];
  const institutionOptions = values.institution ?? [];
  if (values["installation-admin"] && values["no-installation-admin"])
    throw new UsageError("--installation-admin or --no-installation-admin, not both");
  const flag = values["installation-admin"]
    ? true
    : values["no-installation-admin"]
      ? false
      : undefined;
  const institutionsNow = (catalog: Catalog) => async () =>
    (await catalog.zones()).filter((z) => z.kind === "institution").map((z) => z.code);
  if (action === "add") {
    if (flag === false) throw new UsageError("--no-installation-admin is for user role");
    // Checked before the password is asked for (a typo costs no typing).
    for (const r of roleOptions) role(r);
    const problem = checkUser({ name });
    if (problem) throw new UsageError(problem);
    const hash = await hashPassword(await password(values["password-file"]));
    return withCatalog(
      values,
      async (catalog) => {
        const chosen = await rolesOfOptions(
          roleOptions,
          institutionOptions,
          institutionsNow(catalog),
          false,
        );
        const user = await catalog.addUser({
          name,
          passwordHash: hash,
          roles: [...chosen].map(([institution, r]) => ({ institution, role: r! })),
          // As before roles were per institution (and as migration 14 reads such accounts),
          // an administrator named without --institution manages accounts too.
          installationAdmin:
            flag === true ||
            (institutionOptions.length === 0 &&
              roleOptions.some((r) => role(r) === "General System Administrator")),
        });
        process.stdout.write(
          `user ${user.name} added (${describeRoles(user)}); log in at the HTTP port of marcgate serve\n`,
        );
        return 0;
      },
      { create: true },
    );
  }
  if (action === "role") {
    if (roleOptions.length === 0 && flag === undefined)
      throw new UsageError("say --role ROLE --institution CODE, or --installation-admin");
    return withCatalog(values, async (catalog) => {
      const user = await catalog.user(name);
      if (!user) throw new CommandError(`no user ${name}`);
      const chosen = await rolesOfOptions(
        roleOptions,
        institutionOptions,
        institutionsNow(catalog),
        true,
      );
      const roles = new Map(user.roles.map((r) => [r.institution, r.role] as const));
      for (const [institution, r] of chosen) {
        if (r === undefined) roles.delete(institution);
        else roles.set(institution, r);
      }
      const updated = await catalog.updateUser(name, {
        roles: [...roles].map(([institution, r]) => ({ institution, role: r })),
        ...(flag !== undefined ? { installationAdmin: flag } : {}),
      });
      process.stdout.write(`${updated.name}: ${describeRoles(updated)}\n`);
      return 0;
    });
  }
  const hash = await hashPassword(await password(values["password-file"]));
  return withCatalog(values, async (catalog) => {
    await catalog.updateUser(name, { passwordHash: hash });
    process.stdout.write(`password of ${name} changed; their sessions are ended\n`);
    return 0;
  });
}
