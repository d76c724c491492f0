/**
 * The Data Sync schedule of `marcgate serve`: each target (institution, OCLC symbol, directory)
 * published incrementally at start and then every interval, one run at a time; a failed run is
 * logged and tried again at the next tick (its high-water mark did not move).
 */
import type { Catalog } from "../catalog/catalog.js";
import { describeDataSync, isOclcSymbol, publishToOclc } from "./datasync.js";

/** One `--publish-oclc CODE:SYM:DIR`. */
export interface DataSyncTarget {
  readonly institution: string;
  readonly symbol: string;
  readonly outDir: string;
}

/** `CODE:SYM:DIR` (DIR may hold colons), or what is wrong with it. */
export function parseDataSyncTarget(text: string): DataSyncTarget | { readonly error: string } {
  const m = /^([^:]+):([^:]+):(.+)$/.exec(text);
  if (!m) return { error: `"${text}" is not CODE:SYMBOL:DIRECTORY` };
  if (!isOclcSymbol(m[2]!))
    return { error: `"${m[2]!}" is not an OCLC symbol (3-8 capitals or digits)` };
  return { institution: m[1]!, symbol: m[2]!, outDir: m[3]! };
}

/** A running schedule. */
export interface DataSyncSchedule {
  /** Stops the ticks and waits for the run in progress. */
  stop(): Promise<void>;
  /** Runs finished so far (all targets of one tick count as one). */
  readonly ticks: number;
}

/** Starts the schedule: a tick now, then one `intervalMs` after each tick ends. */
export function scheduleDataSync(
  catalog: Catalog,
  targets: readonly DataSyncTarget[],
  options: { readonly intervalMs: number; readonly log: (line: string) => void },
): DataSyncSchedule {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let ticks = 0;
  const tick = async (): Promise<void> => {
    for (const target of targets) {
      if (stopped) return;
      try {
        const result = await publishToOclc({ catalog, ...target, mode: "incremental" });
        for (const line of describeDataSync(result)) options.log(`publish oclc: ${line}`);
      } catch (error) {
        options.log(
          `publish oclc ${target.institution}:${target.symbol} failed (tried again in ` +
            `${Math.round(options.intervalMs / 1000)} s): ${(error as Error).message}`,
        );
      }
    }
    ticks++;
  };
  const next = (): void => {
    if (stopped) return;
    running = tick().then(() => {
      if (!stopped) timer = setTimeout(next, options.intervalMs);
    });
  };
  next();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    get ticks() {
      return ticks;
    },
  };
}
