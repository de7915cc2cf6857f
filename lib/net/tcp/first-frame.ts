import { StunClass, StunError, StunMethod, decodeStun } from '../../stun/index.js';

/** Why the first frame of an incoming connection was refused. */
export type FirstFrameRejection = 'not-stun' | 'not-binding-request';

/** What the first frame of an incoming connection says. */
export type FirstFrameVerdict =
  { ok: true; /** The ufrag of the agent being checked. */ ufrag: string } | { ok: false; reason: FirstFrameRejection; detail: string };

/**
 * Reads the first RFC 4571 frame of a connection accepted on a passive
 * candidate. It must be an ICE connectivity check (RFC 6544 §7.2, RFC 8445
 * §7.2.2): a STUN Binding request carrying USERNAME `<ufrag of the agent
 * being checked>:<ufrag of the checking agent>` and MESSAGE-INTEGRITY. The
 * integrity is not verified here (the agent's core does that with its
 * password); this only routes.
 */
export function classifyFirstFrame(frame: Buffer): FirstFrameVerdict {
  let message;
  try {
    message = decodeStun(frame);
  } catch (error) {
    if (error instanceof StunError) return { ok: false, reason: 'not-stun', detail: `${error.code}: ${error.message}` };
    throw error;
  }
  if (message.class !== StunClass.Request || message.method !== StunMethod.Binding) {
    return {
      ok: false,
      reason: 'not-binding-request',
      detail: `STUN class ${message.class} method 0x${message.method.toString(16)}, not a Binding request`,
    };
  }
  const username = message.attributes.username;
  if (username === undefined) return { ok: false, reason: 'not-binding-request', detail: 'Binding request without USERNAME' };
  // RFC 8445 §7.2.2: USERNAME is "RFRAG:LFRAG" from the sender's view, so the
  // first part is the ufrag of the agent receiving the check.
  const colon = username.indexOf(':');
  if (colon <= 0) return { ok: false, reason: 'not-binding-request', detail: 'USERNAME is not "ufrag:ufrag"' };
  if (!message.hasIntegrity) {
    return { ok: false, reason: 'not-binding-request', detail: 'Binding request without MESSAGE-INTEGRITY' };
  }
  return { ok: true, ufrag: username.slice(0, colon) };
}
