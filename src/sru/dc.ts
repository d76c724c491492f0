/**
 * MARC 21 bibliographic → simple Dublin Core (SRU's `dc` schema, info:srw/schema/1/dc-v1.1),
 * after the Library of Congress "MARC to Dublin Core Crosswalk" (unqualified): title 245,
 * creator 1XX and 7XX names, subject 6XX and classification numbers, description 5XX notes,
 * publisher 260/264 $b, date 260/264 $c (else 008/07-10), type from leader/06, identifier
 * ISBN/ISSN/URL, language 008/35-37 and 041, relation 530 and 76X-78X titles, coverage 651,
 * rights 506 and 540.
 */
import { escapeXmlText } from "../marc/marcxml.js";
import {
  getControlValue,
  getDataFields,
  leaderValue,
  type DataField,
  type MarcRecord,
} from "../marc/record.js";

export const DC_SCHEMA_URI = "info:srw/schema/1/dc-v1.1";
const DC = "http://purl.org/dc/elements/1.1/";
const SRW_DC = "info:srw/schema/1/dc-schema";

function joined(field: DataField, codes: string, separator = " "): string {
  return field.subfields
    .filter((s) => codes.includes(s.code))
    .map((s) => s.value.trim())
    .filter((v) => v !== "")
    .join(separator)
    .replace(/[\s/:;,=]+$/u, "")
    .trim();
}

const TYPES: Readonly<Record<string, string>> = {
  a: "Text",
  t: "Text",
  c: "Text",
  d: "Text",
  e: "Image",
  f: "Image",
  g: "MovingImage",
  k: "StillImage",
  i: "Sound",
  j: "Sound",
  m: "Software",
  o: "Collection",
  p: "Collection",
  r: "PhysicalObject",
};

/** The DC elements of a record, in DC's element order. */
export function dublinCore(record: MarcRecord): [string, string][] {
  const out: [string, string][] = [];
  const add = (element: string, value: string): void => {
    if (value !== "") out.push([element, value]);
  };
  for (const f of getDataFields(record, /^245$/)) add("title", joined(f, "abfghknps"));
  for (const f of getDataFields(record, /^(100|110|111|700|710|711|720)$/))
    add("creator", joined(f, "abcdgjqnu"));
  for (const f of getDataFields(record, /^(600|610|611|630|650|653|655)$/))
    add("subject", joined(f, "abcdefghjklmnopqrstuvxyz", "--"));
  for (const f of getDataFields(record, /^(050|060|080|082)$/)) add("subject", joined(f, "ab", ""));
  for (const f of getDataFields(record, /^5\d\d$/))
    if (!["506", "530", "540", "546"].includes(f.tag)) add("description", joined(f, "a"));
  for (const f of getDataFields(record, /^(260|264)$/)) add("publisher", joined(f, "ab", " "));
  const dates = getDataFields(record, /^(260|264)$/)
    .map((f) => joined(f, "cg"))
    .filter((d) => d !== "");
  const fixed = (getControlValue(record, "008") ?? "").slice(7, 11);
  if (dates.length > 0) for (const d of dates) add("date", d);
  else if (/^\d{4}$/.test(fixed)) add("date", fixed);
  add("type", TYPES[leaderValue(record, "typeOfRecord")] ?? "");
  for (const f of getDataFields(record, /^020$/))
    add("identifier", joined(f, "a") && `URN:ISBN:${joined(f, "a")}`);
  for (const f of getDataFields(record, /^022$/))
    add("identifier", joined(f, "a") && `URN:ISSN:${joined(f, "a")}`);
  for (const f of getDataFields(record, /^856$/)) add("identifier", joined(f, "u"));
  const language = (getControlValue(record, "008") ?? "").slice(35, 38).trim();
  if (/^[a-z]{3}$/.test(language)) add("language", language);
  for (const f of getDataFields(record, /^041$/))
    for (const s of f.subfields)
      if (s.code === "a" && s.value.trim() !== language) add("language", s.value.trim());
  for (const f of getDataFields(record, /^530$/)) add("relation", joined(f, "a"));
  for (const f of getDataFields(record, /^7[678]\d$/)) add("relation", joined(f, "ot"));
  for (const f of getDataFields(record, /^651$/)) add("coverage", joined(f, "avxyz", "--"));
  for (const f of getDataFields(record, /^(506|540)$/)) add("rights", joined(f, "a"));
  return out;
}

/** The record as an `srw_dc:dc` element. */
export function writeDublinCore(record: MarcRecord): string {
  const elements = dublinCore(record)
    .map(([name, value]) => `<dc:${name}>${escapeXmlText(value)}</dc:${name}>`)
    .join("");
  return `<srw_dc:dc xmlns:srw_dc="${SRW_DC}" xmlns:dc="${DC}">${elements}</srw_dc:dc>`;
}
