/**
 * Passive candidates on a chosen port (`TcpTransportOptions.passivePort`,
 * e.g. 443 for clients that may only open TCP to 80/443): one
 * {@link SharedPassiveListener} per address and port in the process, shared
 * by every agent that asks for it (connections are routed by the ufrag of
 * their first Binding request, RFC 6544 §7.2), closed when the last agent
 * using it releases it.
 */
import type { SharedPassiveListenerOptions } from './shared-listener-options.js';
import { SharedPassiveListener } from './shared-listener.js';

interface Entry {
  listener: SharedPassiveListener;
  users: number;
}

const byEndpoint = new Map<string, Entry>();
const keyOf = (host: string, port: number): string => `${host}|${port}`;

/**
 * The process's listener on `host`:`port`, made on first use with `limits`
 * (later users share the first one's limits). Pair with {@link releasePortListener}.
 */
export function acquirePortListener(host: string, port: number, limits: SharedPassiveListenerOptions): SharedPassiveListener {
  const key = keyOf(host, port);
  let entry = byEndpoint.get(key);
  if (entry === undefined) {
    entry = { listener: new SharedPassiveListener({ ...limits, host, port }), users: 0 };
    byEndpoint.set(key, entry);
  }
  entry.users++;
  return entry.listener;
}

/** One user fewer; the last one closes the listener. */
export function releasePortListener(listener: SharedPassiveListener): Promise<void> {
  for (const [key, entry] of byEndpoint) {
    if (entry.listener !== listener) continue;
    entry.users--;
    if (entry.users > 0) return Promise.resolve();
    byEndpoint.delete(key);
    return listener.close();
  }
  return Promise.resolve();
}

/** How many agents use the listener on `host`:`port` (0 when there is none), for tests. */
export function portListenerUsers(host: string, port: number): number {
  return byEndpoint.get(keyOf(host, port))?.users ?? 0;
}
