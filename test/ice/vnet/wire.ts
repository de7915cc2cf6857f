/**
 * A packet sniffer for scenarios: every UDP datagram and TCP frame sent on
 * the virtual network, decoded as STUN where it is STUN, so that tests can
 * assert on what went over the wire (USE-CANDIDATE, 487, 401, ...).
 */
import type { Address } from '../../../lib/ice/types.js';
import { decodeStun, isStun, StunClass, type StunMessage } from '../../../lib/stun/index.js';
import type { VirtualNetwork } from './network.js';

/** One STUN message seen on the wire. */
export interface WireStun {
  at: number;
  fromHost: string;
  from: Address;
  to: Address;
  transport: 'udp' | 'tcp';
  lost: boolean;
  msg: StunMessage;
}

/** Records the STUN messages sent over UDP (all of them, lost ones marked). */
export class Wire {
  readonly stun: WireStun[] = [];

  constructor(net: VirtualNetwork) {
    net.udpTaps.push((trace) => {
      if (!isStun(trace.data)) return;
      try {
        const msg = decodeStun(trace.data);
        this.stun.push({
          at: trace.at,
          fromHost: trace.fromHost,
          from: trace.from,
          to: trace.to,
          transport: 'udp',
          lost: trace.fate !== 'sent',
          msg,
        });
      } catch {
        // not decodable: not ours to judge here
      }
    });
  }

  /** Binding requests sent by a host. */
  requestsFrom(host: string): WireStun[] {
    return this.stun.filter((s) => s.fromHost === host && s.msg.class === StunClass.Request);
  }

  /** Error responses sent by a host, with their codes. */
  errorsFrom(host: string): Array<WireStun & { code: number }> {
    return this.stun
      .filter((s) => s.fromHost === host && s.msg.class === StunClass.ErrorResponse)
      .map((s) => ({ ...s, code: s.msg.attributes.errorCode?.code ?? 0 }));
  }

  /** Success responses sent by a host. */
  successesFrom(host: string): WireStun[] {
    return this.stun.filter((s) => s.fromHost === host && s.msg.class === StunClass.SuccessResponse);
  }
}
