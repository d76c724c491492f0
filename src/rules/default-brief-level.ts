/**
 * marcgate's default brief-level rules, used when an institution has none of its own.
 *
 * Ex Libris ships such a file but its text is not public (research §4), so these rules are
 * marcgate's own: a ladder from 01 (no title) to 10 (a full-level record with every key field),
 * written in the same rule language as the institutions' files — so `marcgate brief-level
 * --rules` can print it, a library can copy it and change it, and it runs through the same
 * interpreter. The first rule that matches decides (see `brief-level.ts`), so each rule only
 * has to tell its level from the levels below it.
 *
 * | level | the record                                                                          |
 * | ----- | ----------------------------------------------------------------------------------- |
 * | 01    | has no title (no 245 $a or $k)                                                       |
 * | 02    | has a title but no publication (260/264) and no physical description (300): a stub   |
 * | 03    | is prepublication (CIP): leader/17 `8`                                               |
 * | 04    | has an unknown encoding level: leader/17 `u`, `z`, OCLC `E`, `J`, or a value MARC 21 and OCLC do not define |
 * | 05    | is abbreviated or partial: leader/17 `3` or `5`                                      |
 * | 06    | is minimal level (leader/17 `7`, OCLC `K`, `M`)                                      |
 * | 07    | is core or less-than-full (leader/17 `4`, `2`)                                       |
 * | 08    | is full level (blank, `1`, OCLC `I`, `L`) but lacks a name entry (1XX/7XX), a publication (260/264) or a 300 |
 * | 09    | is full level with those, but has no subject (6XX), or neither a standard number (020/022) nor a classification (050/082) |
 * | 10    | is full level with all of them                                                       |
 *
 * The levels follow the real files where they agree: no title is 01 and a sparse record 02
 * (UMich, Harvard), CIP and unknown levels sit low, minimal-level OCLC `K`/`M` with `7`, full
 * level (blank, `1`, `I`) above them (UMich 08, Harvard 08/09); 08–10 then grade full-level
 * records by the access points a cataloger looks for.
 */

/**
 * The default brief-level rule file (rule text, parsed like any other file).
 *
 * @example
 * ```ts
 * const { rules } = parseRules(DEFAULT_BRIEF_LEVEL_RULES);
 * briefLevel({ leader: "00000nam a22000008a 4500", fields: [title] }, rules).level; // "03"
 * ```
 */
export const DEFAULT_BRIEF_LEVEL_RULES = `# marcgate default brief-level rules (docs/rules.md, "Brief levels").
# The first rule whose "when" holds decides; no further rules are tested.

rule "01 no title"
when
    NOT (exists "245.a.*") AND NOT (exists "245.k.*")
then
    set brief_level."01"
end

rule "02 stub: no publication and no physical description"
when
    NOT (exists "260") AND NOT (exists "264") AND NOT (exists "300")
then
    set brief_level."02"
end

rule "03 prepublication (CIP)"
when
    existsControl "LDR.{17,1}.8"
then
    set brief_level."03"
end

// u unknown, z not applicable, OCLC E (system-identified MARC error) and J (deleted record),
// and anything that is no MARC 21 or OCLC encoding level at all.
rule "04 unknown encoding level"
when
    (existsControl "LDR.{17,1}.u|z|E|J")
    OR NOT (existsControl "LDR.{17,1}. |1|2|3|4|5|7|8|I|K|L|M|u|z|E|J")
then
    set brief_level."04"
end

rule "05 abbreviated or partial level"
when
    existsControl "LDR.{17,1}.3|5"
then
    set brief_level."05"
end

rule "06 minimal level"
when
    existsControl "LDR.{17,1}.7|K|M"
then
    set brief_level."06"
end

rule "07 core or less-than-full level"
when
    existsControl "LDR.{17,1}.4|2"
then
    set brief_level."07"
end

// From here on the record is full level: blank, 1, I or L.
rule "08 full level without a name entry, a publication or a 300"
when
    (NOT (exists "1**") AND NOT (exists "7**"))
    OR (NOT (exists "260") AND NOT (exists "264"))
    OR NOT (exists "300")
then
    set brief_level."08"
end

rule "09 full level without subjects, or without a standard number and a classification"
when
    NOT (exists "6**")
    OR (NOT (exists "020") AND NOT (exists "022") AND NOT (exists "050") AND NOT (exists "082"))
then
    set brief_level."09"
end

rule "10 full level with every key field"
when
    TRUE
then
    set brief_level."10"
end
`;
