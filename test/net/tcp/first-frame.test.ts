// classifyFirstFrame: what the shared listener accepts as the first frame.
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { classifyFirstFrame, type FirstFrameRejection } from '../../../lib/net/tcp/index.js';
import { StunClass, StunMethod, encodeStun, shortTermKey } from '../../../lib/stun/index.js';
import { bindingRequest } from './helpers.js';

const key = shortTermKey('a-password-of-22+chars');
const tid = (): Buffer => randomBytes(12);

test('an ICE Binding request gives the ufrag of the agent being checked', (t) => {
  t.deepEqual(classifyFirstFrame(bindingRequest('LOCAL', 'REMOTE')), { ok: true, ufrag: 'LOCAL' });
  // A ufrag may be long (RFC 8839 §5.4: up to 256 ice-chars).
  const long = 'a'.repeat(256);
  t.deepEqual(classifyFirstFrame(bindingRequest(long, 'b')), { ok: true, ufrag: long });
});

test('anything else is refused with its reason', (t) => {
  const cases: Array<[Buffer, FirstFrameRejection]> = [
    [Buffer.alloc(0), 'not-stun'],
    [Buffer.from('GET / HTTP/1.1\r\n\r\n'), 'not-stun'],
    [randomBytes(100), 'not-stun'],
    [encodeStun({ class: StunClass.SuccessResponse, method: StunMethod.Binding, transactionId: tid() }), 'not-binding-request'],
    [
      encodeStun({ class: StunClass.Request, method: 0x003, transactionId: tid(), attributes: { username: 'a:b' } }, { integrityKey: key }),
      'not-binding-request',
    ],
    [
      encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId: tid() }, { integrityKey: key }),
      'not-binding-request',
    ],
    [
      encodeStun(
        { class: StunClass.Request, method: StunMethod.Binding, transactionId: tid(), attributes: { username: ':b' } },
        { integrityKey: key },
      ),
      'not-binding-request',
    ],
    [
      encodeStun(
        { class: StunClass.Request, method: StunMethod.Binding, transactionId: tid(), attributes: { username: 'ab' } },
        { integrityKey: key },
      ),
      'not-binding-request',
    ],
    [
      encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId: tid(), attributes: { username: 'a:b' } }),
      'not-binding-request',
    ],
  ];
  for (const [frame, reason] of cases) {
    const verdict = classifyFirstFrame(frame);
    t.false(verdict.ok);
    if (!verdict.ok) {
      t.is(verdict.reason, reason);
      t.true(verdict.detail.length > 0);
    }
  }
});
