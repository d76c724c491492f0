/** `marcgate institution add|list`: institution zones (IZ) and what the catalog holds. */
import { CATALOG_HELP, CATALOG_OPTIONS, requireOption, withCatalog } from "./catalog-options.js";
import { formatTable } from "./table.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate institution add CODE --name NAME [--network NZCODE] [--data DIR | --db URL]
       marcgate institution list [--json] [--data DIR | --db URL]

add: adds an institution zone. CODE is an Alma-style code (letters, digits, "_" or "-", e.g.
01ABC_INST); the zone gets the next four-digit MMS ID suffix. With --network it joins that
network zone (marcgate network add makes one): its searches then see the network's records.
list: every zone, institutions and network zones, with code, name, kind, suffix and network.
Exit status 1 when a code exists already, is not valid or names no network zone; 2 on bad usage.
  --name NAME         the institution's name (required for add)
  --network NZCODE    the network zone it belongs to
  --json              list as JSON
${CATALOG_HELP}`;

/** Runs `marcgate institution …`; returns the exit code. */
export async function institutionCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      name: { type: "string" },
      network: { type: "string" },
      json: { type: "boolean" },
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  if (action === "add") {
    const [code, ...extra] = rest;
    if (code === undefined) throw new UsageError("name the institution's CODE");
    if (extra.length > 0) throw new UsageError(`one CODE at a time, got ${extra.length + 1}`);
    const name = requireOption(values.name, "--name");
    const network = values.network;
    const zone = await withCatalog(
      values,
      (catalog) =>
        catalog.addInstitution({ code, name, ...(network !== undefined ? { network } : {}) }),
      { create: true },
    );
    process.stdout.write(
      `added institution ${zone.code} "${zone.name}" (MMS ID suffix ${zone.suffix}${zone.network ? `, network ${zone.network}` : ""})\n`,
    );
    return 0;
  }
  if (action === "list") {
    if (rest.length > 0) throw new UsageError(`institution list takes no arguments`);
    const zones = await withCatalog(values, (catalog) => catalog.zones());
    if (values.json) {
      process.stdout.write(JSON.stringify(zones, null, 2) + "\n");
      return 0;
    }
    const lines = formatTable(
      [
        { heading: "code" },
        { heading: "name", max: 40 },
        { heading: "kind" },
        { heading: "suffix" },
        { heading: "network" },
      ],
      zones.map((z) => [z.code, z.name, z.kind, z.suffix, z.network ?? ""]),
    );
    process.stdout.write(
      zones.length === 0
        ? "no zones yet (marcgate institution add CODE --name NAME makes one)\n"
        : lines.join("\n") + "\n",
    );
    return 0;
  }
  throw new UsageError(`expected "institution add CODE --name NAME" or "institution list"`);
}
