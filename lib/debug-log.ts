/**
 * The shape of the `debug` loggers this package passes around (a printf-like
 * format and its arguments), declared here so that the published type
 * declarations do not need `@types/debug`: a `debug` Debugger is one.
 *
 * @module
 */

/** A `debug`-style logger: `log('%s: %d', name, count)`. */
export type DebugLog = (formatter: string, ...args: unknown[]) => void;
