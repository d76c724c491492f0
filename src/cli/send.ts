/** `marcgate send`: a Connexion client — exports each record of a file as OCLC Connexion does. */
import { ConnexionClient, type LengthForm } from "../connexion/client.js";
import { sniffFormat, readFormat } from "../marc/formats.js";
import { readIso2709WithBytes, writeIso2709 } from "../marc/iso2709.js";
import { formatIssue } from "../marc/issue.js";
import { describeRecord } from "./describe.js";
import { openInput } from "./io.js";
import { formatOption, integerOption, parseCommandArgs, UsageError } from "./usage.js";

const HELP = `usage: marcgate send FILE --host HOST --port PORT --logon ID --password PW
                     [--length-form byte|decimal|none] [--from FORMAT] [--timeout S]

Exports each record of FILE to a Connexion gateway (marcgate serve, Alma, Koha …) as the OCLC
Connexion client does: one connection per record, the logon prefix, the record in ISO 2709,
then waits for the reply and prints it. ISO 2709 records are sent byte for byte as they are
in the file (MARC-8 included); records in other formats are sent as UTF-8 ISO 2709.
  --host HOST          the gateway's host (default localhost)
  --port PORT          the gateway's Connexion port (default 5500)
  --logon ID           the Logon ID: the institution code, or CODE/PROFILE
  --password PW        the password of the institution's Connexion profile
  --length-form FORM   byte: the desktop client's one-byte lengths (default); decimal: the
                       browser's and Record Manager's digits; none: no logon prefix
  --from FORMAT        the file's format (default: sniffed)
  --timeout S          seconds to wait for each reply (default 100, the client's setting)
Exit status 0 when every reply is a success, 1 when any reply is an error (or none came).
`;

const LENGTH_FORMS: readonly LengthForm[] = ["byte", "decimal", "none"];

async function* recordsToSend(
  file: string,
  from: ReturnType<typeof formatOption>,
): AsyncGenerator<{ label: string; bytes: Uint8Array } | { label: string; error: string }> {
  const input = await openInput(file);
  const format = from ?? sniffFormat(input.head);
  if (format === "iso2709") {
    for await (const { result, bytes } of readIso2709WithBytes(input.chunks, { marc8: "keep" })) {
      // The bytes go as they are; an unreadable record is sent too: the gateway decides.
      yield { label: describeRecord(result), bytes };
    }
    return;
  }
  for await (const result of readFormat(format, input.chunks)) {
    const label = describeRecord(result);
    if (!result.record) {
      const fatal = result.issues.find((i) => i.severity === "fatal");
      yield { label, error: fatal ? formatIssue(fatal) : "not readable" };
    } else yield { label, bytes: writeIso2709(result.record) };
  }
}

export async function sendCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      host: { type: "string" },
      port: { type: "string" },
      logon: { type: "string" },
      password: { type: "string" },
      "length-form": { type: "string" },
      from: { type: "string" },
      timeout: { type: "string" },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError("name one file of records to send");
  const form = (values["length-form"] ?? "byte") as LengthForm;
  if (!LENGTH_FORMS.includes(form)) {
    throw new UsageError(
      `--length-form "${values["length-form"]!}" is not one of ${LENGTH_FORMS.join(", ")}`,
    );
  }
  if (form !== "none" && values.logon === undefined) {
    throw new UsageError("--logon is required (or --length-form none to send no logon)");
  }
  const host = values.host ?? "localhost";
  const port = integerOption(values.port, "--port", { min: 1, max: 65535, default: 5500 });
  const timeoutMs =
    integerOption(values.timeout, "--timeout", { min: 1, max: 3600, default: 100 }) * 1000;
  const from = formatOption(values.from, "--from");
  const logon = {
    ...(values.logon !== undefined ? { logonId: values.logon } : {}),
    password: values.password ?? "",
  };
  let failures = 0;
  for await (const item of recordsToSend(positionals[0]!, from)) {
    if ("error" in item) {
      failures++;
      process.stdout.write(`${item.label}: not sent: ${item.error}\n`);
      continue;
    }
    let reply: string;
    try {
      const client = await ConnexionClient.connect({ host, port, timeoutMs });
      try {
        reply = await client.send(item.bytes, logon, form);
      } finally {
        await client.close();
      }
    } catch (error) {
      failures++;
      process.stdout.write(
        `${item.label}: no reply: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      continue;
    }
    if (reply.startsWith("Error")) failures++;
    process.stdout.write(`${item.label}: ${reply.replace(/\n+/g, " ").trim()}\n`);
  }
  return failures > 0 ? 1 : 0;
}
