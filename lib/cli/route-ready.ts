/**
 * Waits until an ICE connection's data route is the selected pair's.
 *
 * The agent announces `'selected-pair'` in the same pass of the core in
 * which it moves the route and closes TCP connections that lost
 * (RFC 6544 §9.2); data sent from the `'selected-pair'` listener itself can
 * still go to the previous route, on a connection that is closing. So the
 * command starts sending only once the route has moved, after that pass
 * (see /tmp/notes/cli-needs.md for the report to lib/net).
 */
import type { EventEmitter } from 'node:events';
import createDebug from 'debug';

const debug = createDebug('ice-tcp:cli');

/** The part of `IceConnection` this needs. */
export interface RoutedConnection extends EventEmitter {
  readonly route: { readonly pairId: string } | null;
}

/**
 * Resolves once `conn.route` is `pairId`'s (or after `timeoutMs`, with a
 * debug line: the route may have moved on already), always in a later turn
 * of the event loop than the call.
 */
export function whenRouted(conn: RoutedConnection, pairId: string, timeoutMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const ready = (): void => {
      clearTimeout(timer);
      conn.off('route', onRoute);
      setImmediate(resolve);
    };
    const onRoute = (route: { pairId: string } | null): void => {
      if (route?.pairId === pairId) ready();
    };
    if (conn.route?.pairId === pairId) {
      setImmediate(resolve);
      return;
    }
    conn.on('route', onRoute);
    timer = setTimeout(() => {
      debug('route of %s not seen within %d ms: going on', pairId, timeoutMs);
      ready();
    }, timeoutMs);
  });
}
