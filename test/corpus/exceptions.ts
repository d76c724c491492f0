/**
 * Records of ../shared/corpus on which marcgate and yaz-marcdump knowingly disagree, each with
 * the reason. Keys are `path#index` (index zero-based, in file order). The corpus suite fails
 * when a listed record starts agreeing with yaz (so the list never goes stale) and when a record
 * differs without being listed.
 */
export type ExceptionReason = string;

const LIST: [string, ExceptionReason][] = [];

export const EXCEPTIONS: ReadonlyMap<string, ExceptionReason> = new Map(LIST);
