/**
 * The coded positions of a MARC 21 bibliographic record: the leader values a bibliographic
 * record may have, and the `008` (fixed-length data elements) codes, for all materials and for
 * each material type's positions 18–34. Written from the MARC 21 Format for Bibliographic Data.
 * Values are lists of characters, blank written as a space; `|` (no attempt to code) is allowed
 * wherever MARC 21 allows it.
 *
 * @example
 * ```ts
 * materialType("a", "m"); // "books"
 * materialType("a", "s"); // "continuing resources"
 * MATERIAL_POSITIONS.books[0]; // { from: 18, to: 21, name: "illustrations", each: true, values: " abcdefghijklmop|" }
 * ```
 */
import type { LeaderPositionName } from "../marc/record.js";

/** A leader position a bibliographic record must code, and the values it may take. */
export interface LeaderCode {
  readonly name: LeaderPositionName;
  readonly label: string;
  readonly values: string;
}

/**
 * leader/17 takes MARC 21's values and OCLC's: `I` and `K` (full and less-than-full input by
 * OCLC members), `L` and `M` (added from a batch process), `J` (deleted record) and `E`
 * (system-identified MARC error in a batchloaded record); Connexion exports records with them.
 */
export const LEADER_CODES: readonly LeaderCode[] = [
  { name: "recordStatus", label: "record status", values: "acdnp" },
  { name: "typeOfRecord", label: "type of record", values: "acdefgijkmoprt" },
  { name: "bibliographicLevel", label: "bibliographic level", values: "abcdims" },
  { name: "typeOfControl", label: "type of control", values: " a" },
  { name: "characterCoding", label: "character coding scheme", values: " a" },
  { name: "encodingLevel", label: "encoding level", values: " 1234578uzEIJKLM" },
  { name: "descriptiveCatalogingForm", label: "descriptive cataloging form", values: " acinu" },
  {
    name: "multipartResourceRecordLevel",
    label: "multipart resource record level",
    values: " abc",
  },
];

/** The seven material types the `008` positions 18–34 depend on. */
export const MATERIAL_TYPES = [
  "books",
  "computer files",
  "maps",
  "music",
  "continuing resources",
  "visual materials",
  "mixed materials",
] as const;
export type MaterialType = (typeof MATERIAL_TYPES)[number];

/**
 * The material type leader/06 (type of record) and leader/07 (bibliographic level) select, or
 * `undefined` when leader/06 is not a bibliographic type.
 */
export function materialType(typeOfRecord: string, level: string): MaterialType | undefined {
  switch (typeOfRecord) {
    case "a":
      return level === "b" || level === "i" || level === "s" ? "continuing resources" : "books";
    case "t":
      return "books";
    case "m":
      return "computer files";
    case "e":
    case "f":
      return "maps";
    case "c":
    case "d":
    case "i":
    case "j":
      return "music";
    case "g":
    case "k":
    case "o":
    case "r":
      return "visual materials";
    case "p":
      return "mixed materials";
    default:
      return undefined;
  }
}

/**
 * A run of `008` positions with one meaning. `each`: every position of the run is one code from
 * `values` (illustrations 18–21); otherwise the run is one code of its length, one of `codes`.
 */
export type FixedPosition =
  | {
      readonly from: number;
      readonly to: number;
      readonly name: string;
      readonly each: true;
      readonly values: string;
    }
  | {
      readonly from: number;
      readonly to: number;
      readonly name: string;
      readonly each: false;
      readonly codes: ReadonlySet<string> | RegExp;
    };

function each(from: number, to: number, name: string, values: string): FixedPosition {
  return { from, to, name, each: true, values };
}
function undefinedPositions(from: number, to: number): FixedPosition {
  return each(from, to, "undefined", " |");
}
function codes(from: number, to: number, name: string, list: string): FixedPosition {
  return { from, to, name, each: false, codes: new Set(list.split(",")) };
}

const TARGET_AUDIENCE = " abcdefgj|";
const FORM_OF_ITEM = " abcdfoqrs|";
const GOVERNMENT_PUBLICATION = " acfilmosuz|";
const NATURE_OF_CONTENTS = " abcdefgijklmnopqrstuvwyz256|";

/** `008` positions 00–17 and 35–39, the same for every material type, as far as they are coded. */
export const ALL_MATERIALS_POSITIONS = {
  typeOfDate: each(6, 6, "type of date/publication status", "bcdeikmnpqrstu|"),
  modifiedRecord: each(38, 38, "modified record", " dorsx|"),
  catalogingSource: each(39, 39, "cataloging source", " cdu|"),
} as const;

const PROJECTIONS =
  "  ,aa,ab,ac,ad,ae,af,ag,am,an,ap,au,az,ba,bb,bc,bd,be,bf,bg,bh,bi,bj,bk,bl,bo,br,bs,bu,bz,ca,cb,cc,ce,cp,cu,cz,da,db,dc,dd,de,df,dg,dh,dl,zz,||";
const FORMS_OF_COMPOSITION =
  "an,bd,bg,bl,bt,ca,cb,cc,cg,ch,cl,cn,co,cp,cr,cs,ct,cy,cz,df,dv,fg,fl,fm,ft,gm,hy,jz,mc,md,mi,mo,mp,mr,ms,mu,mz,nc,nn,op,or,ov,pg,pm,po,pp,pr,ps,pt,pv,rc,rd,rg,ri,rp,rq,sd,sg,sn,sp,st,su,sy,tc,tl,ts,uu,vi,vr,wz,za,zz,||";

/** `008` positions 18–34 for each material type. */
export const MATERIAL_POSITIONS: Readonly<Record<MaterialType, readonly FixedPosition[]>> = {
  books: [
    each(18, 21, "illustrations", " abcdefghijklmop|"),
    each(22, 22, "target audience", TARGET_AUDIENCE),
    each(23, 23, "form of item", FORM_OF_ITEM),
    each(24, 27, "nature of contents", NATURE_OF_CONTENTS),
    each(28, 28, "government publication", GOVERNMENT_PUBLICATION),
    each(29, 29, "conference publication", "01|"),
    each(30, 30, "festschrift", "01|"),
    each(31, 31, "index", "01|"),
    undefinedPositions(32, 32),
    each(33, 33, "literary form", "01cdefhijmpsu|"),
    each(34, 34, "biography", " abcd|"),
  ],
  "computer files": [
    undefinedPositions(18, 21),
    each(22, 22, "target audience", TARGET_AUDIENCE),
    each(23, 23, "form of item", " oq|"),
    undefinedPositions(24, 25),
    each(26, 26, "type of computer file", "abcdefghijmuz|"),
    undefinedPositions(27, 27),
    each(28, 28, "government publication", GOVERNMENT_PUBLICATION),
    undefinedPositions(29, 34),
  ],
  maps: [
    each(18, 21, "relief", " abcdefgijkmz|"),
    codes(22, 23, "projection", PROJECTIONS),
    undefinedPositions(24, 24),
    each(25, 25, "type of cartographic material", "abcdefguz|"),
    undefinedPositions(26, 27),
    each(28, 28, "government publication", GOVERNMENT_PUBLICATION),
    each(29, 29, "form of item", FORM_OF_ITEM),
    undefinedPositions(30, 30),
    each(31, 31, "index", "01|"),
    undefinedPositions(32, 32),
    each(33, 34, "special format characteristics", " ejklnoprz|"),
  ],
  music: [
    codes(18, 19, "form of composition", FORMS_OF_COMPOSITION),
    each(20, 20, "format of music", "abcdeghijklmnpuz|"),
    each(21, 21, "music parts", " defnu|"),
    each(22, 22, "target audience", TARGET_AUDIENCE),
    each(23, 23, "form of item", FORM_OF_ITEM),
    each(24, 29, "accompanying matter", " abcdefghikrsz|"),
    each(30, 31, "literary text for sound recordings", " abcdefghijklmnoprstz|"),
    undefinedPositions(32, 32),
    each(33, 33, "transposition and arrangement", " abcnu|"),
    undefinedPositions(34, 34),
  ],
  "continuing resources": [
    each(18, 18, "frequency", " abcdefghijkmqstuwz|"),
    each(19, 19, "regularity", "nrux|"),
    undefinedPositions(20, 20),
    each(21, 21, "type of continuing resource", " dghjlmnpstw|"),
    each(22, 22, "form of original item", " abcdefoqrs|"),
    each(23, 23, "form of item", FORM_OF_ITEM),
    each(24, 24, "nature of entire work", " abcdefghiklmnopqrstuvwyz56|"),
    each(25, 27, "nature of contents", " abcdefghiklmnopqrstuvwyz56|"),
    each(28, 28, "government publication", GOVERNMENT_PUBLICATION),
    each(29, 29, "conference publication", "01|"),
    undefinedPositions(30, 32),
    each(33, 33, "original alphabet or script of title", " abcdefghijkluz|"),
    each(34, 34, "entry convention", "012|"),
  ],
  "visual materials": [
    {
      from: 18,
      to: 20,
      name: "running time for motion pictures and videorecordings",
      each: false,
      codes: /^(?:\d{3}|---|nnn|\|\|\|)$/,
    },
    undefinedPositions(21, 21),
    each(22, 22, "target audience", TARGET_AUDIENCE),
    undefinedPositions(23, 27),
    each(28, 28, "government publication", GOVERNMENT_PUBLICATION),
    each(29, 29, "form of item", FORM_OF_ITEM),
    undefinedPositions(30, 32),
    each(33, 33, "type of visual material", "abcdfgiklmnopqrstvwz|"),
    each(34, 34, "technique", "aclnuz|"),
  ],
  "mixed materials": [
    undefinedPositions(18, 22),
    each(23, 23, "form of item", FORM_OF_ITEM),
    undefinedPositions(24, 34),
  ],
};

/** `008/18-21`: how MARC 21 writes a position or a run of positions. */
export function positionLabel(from: number, to: number): string {
  const two = (n: number): string => String(n).padStart(2, "0");
  return from === to ? two(from) : `${two(from)}-${two(to)}`;
}
