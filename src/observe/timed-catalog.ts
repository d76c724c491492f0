/**
 * Database timings: a catalog whose every asynchronous call (`commit`, `search`, `record`,
 * `jobStates` …) is timed into a histogram labelled by the call's name, on either engine, and
 * failures counted. The catalog is the same object underneath; only calls through the returned
 * one are timed (the importer, the gateway and the web server are given it).
 */
import type { Catalog } from "../catalog/catalog.js";
import type { Counter, Histogram } from "./metrics.js";

/** Where {@link timedCatalog} puts its figures. */
export interface CatalogTimings {
  /** Seconds per call, label `operation`. */
  readonly seconds: Histogram;
  /** Calls that failed, label `operation`. */
  readonly errors: Counter;
}

/** The catalog with its asynchronous calls timed. */
export function timedCatalog(catalog: Catalog, timings: CatalogTimings): Catalog {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(catalog, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || typeof key !== "string" || key === "constructor") {
        return value;
      }
      let timed = wrapped.get(key);
      if (timed === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        timed = (...args: unknown[]): unknown => {
          const started = performance.now();
          const result = method.apply(target, args);
          if (!(result instanceof Promise)) return result;
          const labels = { operation: key };
          return result.then(
            (settled: unknown) => {
              timings.seconds.observe((performance.now() - started) / 1000, labels);
              return settled;
            },
            (error: unknown) => {
              timings.seconds.observe((performance.now() - started) / 1000, labels);
              timings.errors.inc(labels);
              throw error;
            },
          );
        };
        wrapped.set(key, timed);
      }
      return timed;
    },
  });
}
