/** `marcgate network add`: a network zone (NZ) that institutions can join. */
import { CATALOG_HELP, CATALOG_OPTIONS, requireOption, withCatalog } from "./catalog-options.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate network add CODE --name NAME [--data DIR | --db URL]

Adds a network zone: records shared by its member institutions. CODE is an Alma-style code
(letters, digits, "_" or "-", e.g. 01ABC_NETWORK); the zone gets the next four-digit MMS ID
suffix. Exit status 1 when the code exists already or is not valid, 2 on bad usage.
  --name NAME     the zone's name (required)
${CATALOG_HELP}`;

/** Runs `marcgate network …`; returns the exit code. */
export async function networkCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      name: { type: "string" },
      ...CATALOG_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [action, code, ...extra] = positionals;
  if (action !== "add") throw new UsageError(`expected "network add CODE --name NAME"`);
  if (code === undefined) throw new UsageError("name the network zone's CODE");
  if (extra.length > 0) throw new UsageError(`one CODE at a time, got ${extra.length + 1}`);
  const name = requireOption(values.name, "--name");
  const zone = await withCatalog(values, (catalog) => catalog.addNetworkZone({ code, name }), {
    create: true,
  });
  process.stdout.write(
    `added network zone ${zone.code} "${zone.name}" (MMS ID suffix ${zone.suffix})\n`,
  );
  return 0;
}
