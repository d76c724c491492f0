/** `marcgate user`: staff accounts for the web pages and the API (the first administrator too). */
import { readFile } from "node:fs/promises";
import { MIN_PASSWORD, USER_ROLES, checkUser, type UserRole } from "../catalog/accounts.js";
import { hashPassword } from "../import/password.js";
import { CATALOG_HELP, CATALOG_OPTIONS, withCatalog } from "./catalog-options.js";
import { formatTable } from "./table.js";
import { CommandError, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate user add NAME --role ROLE [--password-file FILE] [--data DIR | --db URL]
       marcgate user password NAME [--password-file FILE]
       marcgate user role NAME --role ROLE
       marcgate user list

Staff accounts of the web pages (marcgate serve, HTTP port) and the REST API. Roles:
${USER_ROLES.map((r) => `  "${r}"`).join("\n")}
(Viewer searches and views; Cataloger also resolves the review queue, restores versions and
undoes jobs; General System Administrator also configures profiles, rule files and users.)
The password (at least ${MIN_PASSWORD} characters) is read from --password-file (its first line), else
from the environment variable MARCGATE_PASSWORD, else asked for on the terminal (not echoed).
It is stored only as a salted scrypt hash. A new password ends the user's browser sessions.
${CATALOG_HELP}`;

function role(value: string | undefined): UserRole {
  if (value === undefined)
    throw new UsageError(`--role is required (${USER_ROLES.map((r) => `"${r}"`).join(", ")})`);
  const found = USER_ROLES.find((r) => r.toLowerCase() === value.toLowerCase());
  if (!found)
    throw new UsageError(
      `--role "${value}" is not a role; use one of ${USER_ROLES.map((r) => `"${r}"`).join(", ")}`,
    );
  return found;
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
    { role: { type: "string" }, "password-file": { type: "string" }, ...CATALOG_OPTIONS },
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
        [{ heading: "name" }, { heading: "role" }, { heading: "created" }],
        users.map((u) => [u.name, u.role, u.created.toISOString()]),
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
  if (action === "add") {
    const chosen = role(values.role);
    const problem = checkUser({ name, role: chosen });
    if (problem) throw new UsageError(problem);
    const hash = await hashPassword(await password(values["password-file"]));
    return withCatalog(
      values,
      async (catalog) => {
        const user = await catalog.addUser({ name, role: chosen, passwordHash: hash });
        process.stdout.write(
          `user ${user.name} added (${user.role}); log in at the HTTP port of marcgate serve\n`,
        );
        return 0;
      },
      { create: true },
    );
  }
  if (action === "role") {
    const chosen = role(values.role);
    return withCatalog(values, async (catalog) => {
      const user = await catalog.updateUser(name, { role: chosen });
      process.stdout.write(`${user.name} is now ${user.role}\n`);
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
