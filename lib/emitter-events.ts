/**
 * The events every `node:events` EventEmitter emits about its own
 * listeners; each event map of this package extends it so that
 * `on('newListener', …)` stays typed.
 *
 * @module
 */

/** `'newListener'` and `'removeListener'`, as `node:events` emits them. */
export interface ListenerEvents {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node:events' own listener type
  newListener: [eventName: string | symbol, listener: (...args: any[]) => void];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node:events' own listener type
  removeListener: [eventName: string | symbol, listener: (...args: any[]) => void];
}
