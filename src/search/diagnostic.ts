/**
 * SRU diagnostics (the "SRU diagnostics list", info:srw/diagnostic/1/…): what the query layer
 * and the SRU service refuse, each with the standard number, a message for people and the
 * detail the list asks for (the index, the relation, the character position).
 */
export interface SearchDiagnostic {
  /** The number in info:srw/diagnostic/1/. */
  readonly code: number;
  readonly message: string;
  readonly details?: string;
  /** 1-based character position in the query, where there is one. */
  readonly position?: number;
}

/** The numbers marcgate gives, by what they mean (from the SRU diagnostics list). */
export const DIAGNOSTIC = {
  generalSystemError: 1,
  unsupportedOperation: 4,
  unsupportedVersion: 5,
  unsupportedParameterValue: 6,
  mandatoryParameterMissing: 7,
  unsupportedParameter: 8,
  querySyntaxError: 10,
  unsupportedIndex: 16,
  unsupportedRelation: 19,
  unsupportedRelationModifier: 20,
  emptyTermUnsupported: 27,
  maskingUnsupported: 28,
  anchoringUnsupported: 31,
  unsupportedBoolean: 37,
  unsupportedBooleanModifier: 46,
  firstRecordOutOfRange: 61,
  unknownSchema: 66,
  unsupportedPacking: 71,
  unsupportedContextSet: 15,
  maskedWordsTooShort: 29,
  termInvalidFormat: 36,
  proximityUnsupported: 39,
  queryFeatureUnsupported: 48,
  maskingInUnsupportedPosition: 49,
  sortUnsupported: 80,
  tooManyRecordsToSort: 83,
  responsePositionOutOfRange: 120,
  tooManyTermsRequested: 121,
} as const;

export const DIAGNOSTIC_URI = "info:srw/diagnostic/1/";

export function diagnostic(
  code: number,
  message: string,
  details?: string,
  position?: number,
): SearchDiagnostic {
  return {
    code,
    message,
    ...(details !== undefined ? { details } : {}),
    ...(position !== undefined ? { position } : {}),
  };
}

/** One line for people: `Unsupported index (dc.foo) at character 7`. */
export function describeDiagnostic(d: SearchDiagnostic): string {
  return `${d.message}${d.details !== undefined ? ` (${d.details})` : ""}${d.position !== undefined ? ` at character ${d.position}` : ""}`;
}
