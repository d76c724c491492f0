/**
 * The shape of a crosswalk table: one {@link FieldRule} per source tag (or tag pattern such as
 * `5XX`), all of it data. The few things a table cannot say by mapping codes — splitting
 * "Surname, Forename", relator terms to codes, non-filing characters, ISBD punctuation — are
 * named {@link Step}s that `apply.ts` implements once.
 */
import type { CodeMap } from "./codes.js";

/** An indicator of the target field: a fixed character, or the source's indicator mapped. */
export type IndicatorRule =
  | string
  | {
      readonly from: "ind1" | "ind2";
      readonly map?: CodeMap;
      /** When the source indicator is not in `map` (absent map: copied). */
      readonly otherwise?: string;
    };

/** The target tag: fixed (`"="`: the source's own tag), or chosen by the source's indicator or the name's role. */
export type TagRule =
  | string
  | {
      readonly by: "ind1" | "ind2" | "author" | "subfield";
      /**
       * For `author`: `yes` (a relator code of an author, or none). For `subfield`: the value of
       * subfield `code` (lower case; then without trailing digits; `*` for any value present).
       */
      readonly map: CodeMap;
      readonly code?: string;
      readonly otherwise: string;
    };

/** Named transformations a rule may ask for, in the order listed. */
export type Step =
  /** Remove ISBD punctuation recorded at the end of values (MARC 21 → UNIMARC). */
  | "strip-isbd"
  /** `$a Surname, Forename` → `$a Surname $b Forename` (personal names entered under surname). */
  | "split-name"
  /** `$a Surname $b Forename` → `$a Surname, Forename`. */
  | "join-name"
  /** MARC `$e` terms and `$4` codes → UNIMARC three-digit `$4`. */
  | "relator-to-unimarc"
  /** UNIMARC `$4` → MARC `$4` code. */
  | "relator-to-marc21"
  /** MARC 245 ind2 (non-filing count) → UNIMARC NSB/NSE marks around the non-sorting part. */
  | "nonfiling-to-marks"
  /** UNIMARC NSB/NSE marks → MARC non-filing count in ind2. */
  | "marks-to-nonfiling"
  /** MARC 6XX ind2 (thesaurus) → UNIMARC `$2` system code. */
  | "thesaurus-to-code"
  /** UNIMARC `$2` → MARC 6XX ind2 (and `$2` for ind2 7). */
  | "code-to-thesaurus"
  /** A MARC country code in `$a` → ISO 3166 (044 → 102). */
  | "country-to-iso"
  /** An ISO 3166 code in `$a` → MARC country code (102 → 044). */
  | "country-to-marc"
  /** `$2 kdc6` → `$2 6` (KORMARC 056 holds the edition); the reverse for 056 → 084. */
  | "kdc-edition"
  | "kdc-source"
  /** 245 `$c A ; B` → 200 `$f A $g B` (first and subsequent statements of responsibility). */
  | "split-responsibility"
  /** 200 `$f A $g B` → 245 `$c A ; B` (the reverse of `split-responsibility`). */
  | "join-responsibility"
  /** 801 `$a` (country) from the MARC organization code in `$b` (`AM-YeHGA` → AM; none → US). */
  | "agency-country"
  /** MARC `(pbk.)` in 020 `$a` → UNIMARC `$b` qualification. */
  | "isbn-qualifier"
  /** Every subfield's text into one `$a` (notes without a UNIMARC counterpart of their parts). */
  | "collapse-to-a";

/** ISBD punctuation a target field gets between subfields (UNIMARC → MARC 21). */
export interface Punctuation {
  /** Appended to the value before a subfield with this *source* code. */
  readonly before?: CodeMap;
  /** Appended to the last value unless it already ends in punctuation. */
  readonly end?: string;
  /** Source code → [opening, closing] wrapped around its value. */
  readonly wrap?: Readonly<Record<string, readonly [string, string]>>;
}

export interface FieldRule {
  /** The target tag; `null` drops the field with `dropped` as the reason. */
  readonly to: TagRule | null;
  readonly ind1?: IndicatorRule;
  readonly ind2?: IndicatorRule;
  /**
   * Source subfield code → target code. A code not listed is dropped (and reported as an
   * approximation); `"*"` → `"*"` copies every code as it is.
   */
  readonly subfields?: CodeMap;
  /** Source code → target code when the previous value ends with `=` (parallel data). */
  readonly afterEquals?: CodeMap;
  /** Source codes dropped without a report (they are carried elsewhere, e.g. `$e` in `$4`). */
  readonly silent?: string;
  readonly steps?: readonly Step[];
  readonly punctuation?: Punctuation;
  /** Why the field is mapped only approximately (reported for every occurrence). */
  readonly approximate?: string;
  /** Why the field is dropped (with `to: null`). */
  readonly dropped?: string;
  /** Source codes whose value loses enclosing brackets (`[electronic resource]`). */
  readonly unwrap?: string;
  /** Overrides by the target tag chosen (e.g. 410 → 800 takes `$a` as a name). */
  readonly variants?: Readonly<Record<string, Omit<FieldRule, "to" | "variants">>>;
  /** Subfields added to the target field (e.g. `$2 kdc`). */
  readonly add?: readonly (readonly [string, string])[];
}

/** A crosswalk table: source tag or pattern (`5XX`, `9XX`; `*` any tag) → rule. Exact tags win over patterns. */
export type CrosswalkTable = Readonly<Record<string, FieldRule>>;

/** Finds the rule for a tag: the exact tag, then `NNX`, then `NXX`. */
export function ruleFor(table: CrosswalkTable, tag: string): FieldRule | undefined {
  return table[tag] ?? table[`${tag.slice(0, 2)}X`] ?? table[`${tag[0]}XX`] ?? table["*"];
}
