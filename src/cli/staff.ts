/** Who is acting, for commands that save or resolve something in staff's name. */
import { userInfo } from "node:os";

/** The `parseArgs` option naming the person. */
export const BY_OPTION = { by: { type: "string" } } as const;

/** Its help line. */
export const BY_HELP = `  --by NAME       who does it, kept with the change (default: the login name)
`;

/** `--by NAME`, else the login name, else `staff`. */
export function staffName(by: string | undefined): string {
  if (by !== undefined && by.trim() !== "") return by.trim();
  try {
    return userInfo().username || "staff";
  } catch {
    return "staff";
  }
}
