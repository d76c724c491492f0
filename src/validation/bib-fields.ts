/**
 * The MARC 21 bibliographic fields: for every defined tag 010–887, whether it repeats, the
 * values each indicator may take and the subfield codes it defines. Written from the MARC 21
 * Format for Bibliographic Data (field list and each field's page), one line per tag:
 *
 * ```text
 * TAG  R|N  IND1  IND2  SUBFIELDS
 * 245  N    01    0-9   abcfghknps68
 * ```
 *
 * `R` repeatable, `N` not repeatable; an indicator is the list of values it may take (`#` is
 * blank, `0-9` a range); subfields are the codes defined (ranges allowed). Control fields
 * (`00X`) have no indicators or subfields and are listed in {@link CONTROL_FIELDS}.
 *
 * Local fields (`9XX`, `09X`, `59X`, `69X` and any tag with a 9 that MARC 21 does not define,
 * such as OCLC's `019`, `029`, `049`) are not checked: see {@link isLocalTag}. `880` (alternate
 * graphic representation) repeats and is checked against the field its `$6` links to.
 *
 * @example
 * ```ts
 * bibField("245"); // { tag: "245", repeatable: false, ind1: "01", ind2: "0123456789", subfields: "abcfghknps68" }
 * isLocalTag("949"); // true
 * ```
 */

/** What MARC 21 defines for one data field of a bibliographic record. */
export interface BibFieldDefinition {
  readonly tag: string;
  readonly repeatable: boolean;
  /** The values indicator 1 may take, blank written as a space. */
  readonly ind1: string;
  /** The values indicator 2 may take, blank written as a space. */
  readonly ind2: string;
  /** The subfield codes the field defines. */
  readonly subfields: string;
}

/** The control fields and whether each repeats (`006` and `007` do). */
export const CONTROL_FIELDS: Readonly<Record<string, { readonly repeatable: boolean }>> = {
  "001": { repeatable: false },
  "003": { repeatable: false },
  "005": { repeatable: false },
  "006": { repeatable: true },
  "007": { repeatable: true },
  "008": { repeatable: false },
};

// The subfields every linking entry field (76X–78X) shares, and the control subfields.
const LINK = "abcdghikmnorstuwxyz4678";

/** MARC 21 Bibliographic, data fields. Keep one line per tag, in tag order. */
const TABLE = `
010 N # # abz8
013 R # # abcdef68
015 R # # aqz2678
016 R #7 # az278
017 R # #8 abdiz268
018 N # # a68
020 R # # acqz68
022 R #01 # almyz01268
023 R 01 # ayz01268
024 R 0123478 #01 acdqz268
025 R # # a8
026 R # # abcde2568
027 R # # aqz68
028 R 0-6 0-3 abq68
030 R # # az68
031 R # # abcdegmnopqrstuyz268
032 R # # ab68
033 R #012 #012 abcp012368
034 R 0-3 #01 abcdefghjkmnprstxyz012368
035 R # # az68
036 N # # ab68
037 R #23 # abcfgnq3568
038 N # # a68
040 N # # abcde68
041 R #01 #7 abdefghijkmnpqrt2368
042 N # # a
043 N # # abc01268
044 N # # abc268
045 N #012 # abc68
046 R #123 # abcdejklmnopxz2368
047 R # #7 a28
048 R # #7 ab28
050 R #01 04 ab01368
051 R # # abc8
052 R #17 # abd01268
055 R #01 0-9 ab01268
060 R #01 04 ab018
061 R # # abc8
066 N # # abc
070 R 01 # ab018
071 R # # abc8
072 R # 07 ax268
074 R # # az8
080 R #01 #01 abx01268
082 R 017 #04 abmq268
083 R 017 # acmqyz268
084 R # # abq01268
085 R # # abcfrstuvwyz0168
086 R #01 # az01268
088 R # # az68
100 N 013 # abcdefgjklnpqtu012468
110 N 012 # abcdefgklnptu012468
111 N 012 # acdefgjklnpqtu012468
130 N 0-9 # adfghklmnoprst01268
210 R 01 #0 ab268
222 R # 0-9 ab68
240 N 01 0-9 adfghklmnoprs01268
242 R 01 0-9 abchnpy68
243 N 01 0-9 adfgklmnoprs68
245 N 01 0-9 abcfghknps68
246 R 0-3 #0-8 abfghinp568
247 R 01 01 abfghnpx68
250 R #23 # ab368
251 R # # a012368
254 N # # a68
255 R # # abcdefg68
256 N # # a68
257 R # # a01268
258 R # # ab68
260 R #23 # abcefg368
263 N # # a68
264 R #23 0-4 abc368
270 R #12 #07 abcdefghijklmnpqrz468
300 R # # abcefg368
306 N # # a68
307 R #8 # ab68
310 N # # ab0168
321 R # # ab0168
334 R # # ab012368
335 R # # ab012368
336 R # # ab012368
337 R # # ab012368
338 R # # ab012368
340 R # # abcdefghijklmnopq012368
341 R #01 # abcde368
342 R 01 0-8 abcdefghijklmnopqrstuvw268
343 R # # abcdefghi68
344 R # # abcdefgh012368
345 R # # abcd012368
346 R # # ab012368
347 R # # abcdef012368
348 R # # abcd012368
351 R # # abc0123678
352 R # # abcdefgiq68
353 R # # ab012368
355 R 0-58 # abcdefghj68
357 N # # abcg68
361 R # # afkx012368
362 R 01 # az68
363 R #01 #01 abcdefghijklmuvxz68
365 R # # abcdefghijkm268
366 R # # abcdefgjkm268
370 R # # cfgistuv0123468
377 R # #7 al012368
380 R # # a012368
381 R # # auv012368
382 R #0-3 #01 abdenprstv012368
383 R # # abcde2368
384 R #01 # a368
385 R # # abmn012368
386 R # # abimn0123468
387 R # # abcdefghijklmnopqr012368
388 R #12 # a012368
490 R 01 # alvx368
500 R # # a3568
501 R # # a568
502 R # # abcdgo68
504 R # # ab68
505 R 0128 #0 agrtu68
506 R #01 # abcdefgqu2358
507 N # # ab68
508 R # # a68
510 R 0-4 # abcux368
511 R 01 # a68
513 R # # ab68
514 N # # abcdefghijkmuz68
515 R # # a68
516 R #8 # a68
518 R # # adop012368
520 R #0-48 # abcu2368
521 R #0-48 # ab368
522 R #8 # a68
524 R #8 # a2368
525 R # # a68
526 R 08 # abcdixz568
530 R # # abcdu368
532 R 0128 # a68
533 R # # abcdefmnyz35678
534 R # # abcefklmnoptxz368
535 R 12 # abcdg368
536 R # # abcdefgh68
538 R # # aiu3568
540 R #01 # abcdfgqu2358
541 R #01 # abcdefhno3568
542 R #01 # abcdefghijklmnopqrsu368
544 R #01 # abcden368
545 R #01 # abu68
546 R # # ab368
547 R # # a68
550 R # # a68
552 R # # abcdefghijklmnopuz68
555 R #08 # abcdu368
556 R #8 # az68
561 R #01 # au3568
562 R # # abcde3568
563 R # # au3568
565 R #08 # abcde368
567 R #8 # ab01268
580 R # # a68
581 R #8 # az368
583 R #01 # abcdefhijklnouxz2358
584 R # # ab3568
585 R # # a3568
586 R #8 # a368
588 R #01 # a568
600 R 013 0-7 abcdefghjklmnopqrstuvxyz0123468
610 R 012 0-7 abcdefghklmnoprstuvxyz0123468
611 R 012 0-7 acdefghjklnpqstuvxyz0123468
630 R 0-9 0-7 adefghklmnoprstvxyz0123468
647 R # 0-7 acdgvxyz012368
648 R # 0-7 avxyz012368
650 R #012 0-7 abcdegvxyz0123468
651 R # 0-7 aegvxyz0123468
653 R #0-3 #0-6 a68
654 R #012 # abcevyz0123468
655 R #0 0-7 abcvxyz0123568
656 R # 7 akvxyz012368
657 R # 7 avxyz012368
658 R # # abcd268
662 R # # abcdefgh012468
688 R # # a012368
700 R 013 #2 abcdefghijklmnopqrstux01234568
710 R 012 #2 abcdefghiklmnoprstux01234568
711 R 012 #2 acdefghijklnpqstux01234568
720 R #12 # ae468
730 R 0-9 #2 adfghiklmnoprstx01234568
740 R 0-9 #2 ahnp568
751 R # # aeg0123468
752 R # # abcdefgh012468
753 R # # abc01268
754 R # # acdxz01268
758 R # # ai01234568
760 R 01 #8 abcdghimnostwxy4678
762 R 01 #8 abcdghimnostwy4678
765 R 01 #8 ${LINK}
767 R 01 #8 ${LINK}
770 R 01 #8 ${LINK}
772 R 01 #08 ${LINK}
773 R 01 #8 ${LINK}pq3
774 R 01 #8 ${LINK}
775 R 01 #8 ${LINK}ef
776 R 01 #8 ${LINK}
777 R 01 #8 abcdghikmnostwxy4678
780 R 01 0-7 ${LINK}
785 R 01 0-8 ${LINK}
786 R 01 #8 ${LINK}jpv
787 R 01 #8 ${LINK}
800 R 013 # abcdefghjklmnopqrstuvwx012345678
810 R 012 # abcdefghklmnoprstuvwx012345678
811 R 012 # acdefghjklnpqstuvwx012345678
830 R # 0-9 adfghklmnoprstvwx01235678
841 N # # abe7
842 N # # a68
843 R # # abcdefmn35678
844 N # # a68
845 R # # abcdfgqu2358
850 R # # a8
852 R #0-8 #012 abcdefghijklmnpqstuxz2368
853 R 0-3 0-3 abcdefghijklmnopqstuvwxyz368
854 R 0-3 0-3 abcdefghijklmnopqstuvwxyz368
855 R 0-3 0-3 abcdefghijklmnopqstuvwxyz368
856 R #0-47 #0-28 abcdfhijklmnopqrstuvwxyz2367
863 R #345 #0-4 abcdefghijklmnopqstuvwxz68
864 R #345 #0-4 abcdefghijklmnopqstuvwxz68
865 R #345 #0-4 abcdefghijklmnopqstuvwxz68
866 R #345 0127 axz268
867 R #345 0127 axz268
868 R #345 0127 axz268
876 R # # abcdehjlprtxz368
877 R # # abcdehjlprtxz368
878 R # # abcdehjlprtxz368
880 R - - -
881 R # # abcdefghijklmn368
882 N # # aiw68
883 R #012 # acdqxuw018
884 R # # agkqu
885 R # # abcdwx025
886 R 012 # a-z0-9
887 R # # a2
`;

/**
 * Tags MARC 21 once defined for bibliographic records and has made obsolete (440 in 2008, the
 * 5XX and 6XX that were merged into others): older records still carry them, so they are named
 * as obsolete rather than as unknown.
 */
export const OBSOLETE_TAGS: ReadonlySet<string> = new Set([
  "211",
  "212",
  "214",
  "241",
  "261",
  "262",
  "265",
  "301",
  "302",
  "303",
  "304",
  "305",
  "308",
  "315",
  "350",
  "359",
  "440",
  "503",
  "512",
  "517",
  "523",
  "527",
  "537",
  "543",
  "570",
  "582",
  "652",
  "705",
  "715",
  "755",
  "840",
]);

function expand(spec: string): string {
  if (spec === "-") return "";
  const blankAsSpace = spec.replaceAll("#", " ");
  return blankAsSpace.replace(/(.)-(.)/g, (_, from: string, to: string) => {
    let out = "";
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) out += String.fromCharCode(c);
    return out;
  });
}

function parseTable(text: string): ReadonlyMap<string, BibFieldDefinition> {
  const fields = new Map<string, BibFieldDefinition>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const [tag, repeat, ind1, ind2, subfields, extra] = line.trim().split(/\s+/);
    if (
      tag === undefined ||
      !/^\d{3}$/.test(tag) ||
      (repeat !== "R" && repeat !== "N") ||
      ind1 === undefined ||
      ind2 === undefined ||
      subfields === undefined ||
      extra !== undefined ||
      fields.has(tag)
    ) {
      throw new Error(`bib-fields: bad table line "${line}"`);
    }
    fields.set(tag, {
      tag,
      repeatable: repeat === "R",
      ind1: expand(ind1),
      ind2: expand(ind2),
      subfields: expand(subfields),
    });
  }
  return fields;
}

/** Every data field MARC 21 defines for bibliographic records, by tag. */
export const BIB_FIELDS: ReadonlyMap<string, BibFieldDefinition> = parseTable(TABLE);

/** The definition of a data field, or `undefined` when MARC 21 Bibliographic has none. */
export function bibField(tag: string): BibFieldDefinition | undefined {
  return BIB_FIELDS.get(tag);
}

/**
 * Whether a tag is for local use and not checked: `9XX`, and any other tag holding a 9 that
 * MARC 21 does not define (`09X`, `59X`, `69X`, OCLC's `019`, `029`, `049` …).
 */
export function isLocalTag(tag: string): boolean {
  return tag.includes("9") && !BIB_FIELDS.has(tag) && !(tag in CONTROL_FIELDS);
}
