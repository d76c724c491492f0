/**
 * 001 to MMS ID: the incoming record's `001` is taken as an MMS ID, and the record with that
 * MMS ID in the zones matches. This is how a record that went from the catalog to OCLC and
 * comes back with the catalog's number in its `001` finds itself. A `001` that is not shaped
 * like an MMS ID (`99`, then at least 11 digits) is not looked up.
 */
import { isMmsId } from "../../catalog/mms-id.js";
import { getControlValue } from "../../marc/record.js";
import { Findings, type MatchMethod } from "./method.js";

export const controlNumberToMmsId: MatchMethod = {
  name: "001 to MMS ID",
  kinds: [],
  async run(input, view) {
    const findings = new Findings("001 to MMS ID", input.step);
    const controlNumber = getControlValue(input.record, "001")?.trim() ?? "";
    if (controlNumber === "") {
      findings.note("the record has no 001: no match", { keys: [] });
      return findings.result();
    }
    if (!isMmsId(controlNumber)) {
      findings.note(`001 ${controlNumber} is not an MMS ID: no match`, {
        key: "001",
        value: controlNumber,
        mmsIds: [],
      });
      return findings.result();
    }
    const stored = await view.record(controlNumber);
    const mmsIds = stored !== undefined && input.zones.includes(stored.zone) ? [controlNumber] : [];
    findings.found(`MMS ID ${controlNumber}`, mmsIds);
    findings.note(
      mmsIds.length > 0
        ? `001 ${controlNumber}: record ${controlNumber}`
        : stored
          ? `001 ${controlNumber}: the record is in zone ${stored.zone}, not ${input.zones.join(", ")}`
          : `001 ${controlNumber}: no record`,
      { key: "001", value: controlNumber, mmsIds },
    );
    return findings.result();
  },
};
