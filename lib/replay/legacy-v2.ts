/**
 * Reading version-2 recordings (format.ts). Version 3 changed three outputs
 * of the core, none of them on the wire:
 * - the connection-command poll is `pollConnectionCommand` (v2: `pollConnect`);
 * - `handlePacket` returns `{ kind: 'data', component }` for data (v2: `"data"`);
 * - a `close` command carries the `transportId` of its connection (v2: absent).
 *
 * A v2 recording's calls are renamed when parsed, and a replay compares
 * the core's outputs after {@link inVersion2Terms} turned them into what
 * version 2 recorded: every byte sent, every input and every other output
 * is compared as before.
 */
import type { RecordedCallName } from './format.js';

/** A v2 call with its current name. */
export function renameLegacyCall(call: Record<string, unknown>): Record<string, unknown> {
  return call.call === 'pollConnect' ? { ...call, call: 'pollConnectionCommand' } : call;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The result of a call as a version-2 recording has it. */
export function inVersion2Terms(call: RecordedCallName, result: unknown): unknown {
  if (call === 'handlePacket' && isObject(result) && result.kind === 'data') return 'data';
  if (call === 'pollConnectionCommand' && isObject(result) && result.type === 'close') {
    const { transportId: _transportId, ...v2 } = result;
    return v2;
  }
  return result;
}
