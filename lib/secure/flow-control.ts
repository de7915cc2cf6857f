/**
 * Finding how to stop and restart a packet connection's deliveries, which
 * {@link PacketConnection} itself does not promise.
 *
 * @module
 */
import type { PacketConnection } from '../connection.js';

/** Stops and restarts the delivery of `'packet'` events. */
export interface ReadFlowControl {
  pause(): void;
  resume(): void;
}

interface MaybeFlowControl {
  pause?: unknown;
  resume?: unknown;
  pauseReading?: unknown;
  resumeReading?: unknown;
}

/**
 * The connection's read flow control, if it has one: `pause()`/`resume()`
 * (as `FramedConnection`) or `pauseReading()`/`resumeReading()` (as the ICE
 * runtime's `IceConnection`); `undefined` when it has neither.
 */
export function readFlowControl(conn: PacketConnection): ReadFlowControl | undefined {
  const c = conn as PacketConnection & MaybeFlowControl;
  if (typeof c.pause === 'function' && typeof c.resume === 'function') {
    const pause = c.pause as () => void;
    const resume = c.resume as () => void;
    return { pause: () => pause.call(c), resume: () => resume.call(c) };
  }
  if (typeof c.pauseReading === 'function' && typeof c.resumeReading === 'function') {
    const pause = c.pauseReading as () => void;
    const resume = c.resumeReading as () => void;
    return { pause: () => pause.call(c), resume: () => resume.call(c) };
  }
  return undefined;
}
