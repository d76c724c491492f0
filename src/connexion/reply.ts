/**
 * The reply text a Connexion client shows in its "OCLC Gateway Export Status" window. The
 * client does not parse it: success and failure differ only in the wording, so each reply
 * starts with `Success.` (the record is saved), the outcome's words from the job report's
 * vocabulary (the held and the skipped record) or `Error:` (a failed record, named so in the
 * reply) and says what to do.
 * Text is ASCII (the client's code page is unknown) with LF line breaks; the server adds the
 * terminating NUL.
 */
import { outcomeHeading, outcomeLabel } from "../catalog/outcome-words.js";
import type { ImportResult } from "../import/importer.js";

/** Where a record can be seen, for the reply's second line. */
export type RecordUrl = (mmsId: string) => string;

/**
 * ASCII only: accents dropped, anything else non-printable or non-ASCII replaced by `?`. The
 * signs the decision log uses are spelled out first (`≠` would decompose into `=` and an
 * overlay, and say the opposite).
 */
export function asciiText(text: string): string {
  return text
    .replace(/≠/g, "!=")
    .replace(/≈/g, "~")
    .replace(/→/g, "->")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, "-")
    .replace(/[^\n\x20-\x7e]/g, "?");
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * The reply to one export, e.g. `Success. Record 991000000010001 added.` and the record's
 * address, or `Error: <what, and what to do>`.
 */
export function replyText(
  result: ImportResult,
  options: { readonly recordUrl?: RecordUrl; readonly jobId: number },
): string {
  const { decision, mmsId } = result;
  const link = mmsId !== undefined && options.recordUrl ? `\n\n${options.recordUrl(mmsId)}` : "";
  const authority = decision.recordKind === "authority";
  const noun = authority ? "Authority record" : "Record";
  const theRecord = authority ? "The authority record" : "The record";
  let text: string;
  switch (decision.outcome) {
    case "created":
    case "merged":
    case "overlaid":
    case "loaded":
      text = `Success. ${noun} ${mmsId ?? "?"} ${decision.reason}.${link}`;
      break;
    case "unchanged":
      text = `Success. ${noun} ${mmsId ?? "?"} is unchanged: ${sentence(decision.reason)}${link}`;
      break;
    case "review":
      text = `${outcomeHeading("review")}${authority ? " (authority record)" : ""}: ${sentence(decision.reason)} Staff can resolve it in job ${options.jobId}.`;
      break;
    case "skipped":
      text = `${outcomeHeading("skipped")}: ${sentence(decision.reason)}${link}`;
      break;
    case "rejected":
      text = `Error: ${sentence(decision.reason)} ${theRecord} ${outcomeLabel("rejected")} and was kept in job ${options.jobId}; correct it and export it again.`;
      break;
  }
  return asciiText(text);
}

/** The reply when the request never reached the import: bad credentials, no record, too large … */
export function errorReply(reason: string): string {
  return asciiText(`Error: ${sentence(reason)}`);
}

/**
 * A reply that names the profile that took the export: ` (profile SERIALS)` at the end of its
 * first line, before the full stop (`Success. Record 991… added (profile SERIALS).`). The
 * default profile's replies are left as they are (docs/connexion.md, "Several profiles").
 */
export function namingProfile(reply: string, profile: string): string {
  const end = reply.indexOf("\n");
  const first = end < 0 ? reply : reply.slice(0, end);
  const rest = end < 0 ? "" : reply.slice(end);
  const named = first.endsWith(".")
    ? `${first.slice(0, -1)} (profile ${profile}).`
    : `${first} (profile ${profile})`;
  return asciiText(named + rest);
}
