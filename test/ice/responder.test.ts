import test from 'ava';
import { decodeStun, encodeStun, shortTermKey, StunClass, StunMethod } from '../../lib/stun/index.js';
import { CredentialGeneration } from '../../lib/ice/ice-credentials.js';
import { authenticateRequest } from '../../lib/ice/responder.js';
import { decideRoleConflict } from '../../lib/ice/role.js';

test('role conflict decision table (RFC 8445 §7.3.1.1)', (t) => {
  // We are controlling and the peer says ICE-CONTROLLING.
  t.is(decideRoleConflict(true, 10n, { iceControlling: 5n }), 'reject');
  t.is(decideRoleConflict(true, 10n, { iceControlling: 10n }), 'reject', 'ties keep the role and answer 487');
  t.is(decideRoleConflict(true, 10n, { iceControlling: 11n }), 'switch');
  // We are controlled and the peer says ICE-CONTROLLED.
  t.is(decideRoleConflict(false, 10n, { iceControlled: 5n }), 'switch');
  t.is(decideRoleConflict(false, 10n, { iceControlled: 10n }), 'switch');
  t.is(decideRoleConflict(false, 10n, { iceControlled: 11n }), 'reject');
  // No conflict.
  t.is(decideRoleConflict(true, 10n, { iceControlled: 99n }), 'none');
  t.is(decideRoleConflict(false, 10n, { iceControlling: 99n }), 'none');
  t.is(decideRoleConflict(true, 10n, {}), 'none');
  t.is(decideRoleConflict(false, (1n << 64n) - 1n, { iceControlled: (1n << 64n) - 1n }), 'switch');
});

const gen = new CredentialGeneration({ ufrag: 'ufragA', pwd: 'passwordpasswordpassword' }, 0);

function req(username: string | undefined, pwd: string | undefined, options: { fingerprint?: boolean; extra?: number } = {}) {
  return decodeStun(
    encodeStun(
      {
        class: StunClass.Request,
        method: StunMethod.Binding,
        transactionId: new Uint8Array(12),
        attributes: username === undefined ? {} : { username },
        extraAttributes: options.extra === undefined ? undefined : [{ type: options.extra, value: new Uint8Array(0) }],
      },
      { integrityKey: pwd === undefined ? undefined : shortTermKey(pwd), fingerprint: options.fingerprint ?? true },
    ),
  );
}

test('authenticateRequest verdicts', (t) => {
  t.like(authenticateRequest(req(undefined, 'passwordpasswordpassword'), [gen]), { kind: 'reject', code: 400 });
  t.like(authenticateRequest(req('ufragA:b', undefined), [gen]), { kind: 'reject', code: 400 });
  t.like(authenticateRequest(req('nouser', 'passwordpasswordpassword'), [gen]), { kind: 'reject', code: 401 });
  t.like(authenticateRequest(req('other:b', 'passwordpasswordpassword'), [gen]), { kind: 'reject', code: 401 });
  t.like(authenticateRequest(req('ufragA:b', 'wrongwrongwrongwrongwrong'), [gen]), { kind: 'reject', code: 401 });
  t.like(authenticateRequest(req('ufragA:b', 'passwordpasswordpassword', { extra: 0x0042 }), [gen]), {
    kind: 'reject',
    code: 420,
    unknownAttributes: [0x42],
  });
  t.like(authenticateRequest(req('ufragA:b', 'passwordpasswordpassword', { extra: 0x8042 }), [gen]), { kind: 'accept', remoteUfrag: 'b' });
  t.like(authenticateRequest(req('ufragA:peer', 'passwordpasswordpassword', { fingerprint: false }), [gen]), {
    kind: 'accept',
    remoteUfrag: 'peer',
  });
  const old = new CredentialGeneration({ ufrag: 'ufragO', pwd: 'oldpasswordoldpassword' }, 1);
  const verdict = authenticateRequest(req('ufragO:x', 'oldpasswordoldpassword'), [gen, old]);
  t.is(verdict.kind === 'accept' ? verdict.generation : undefined, old);
});

test('a request with a corrupted FINGERPRINT is dropped', (t) => {
  const raw = encodeStun(
    { class: StunClass.Request, method: StunMethod.Binding, transactionId: new Uint8Array(12), attributes: { username: 'ufragA:b' } },
    { integrityKey: shortTermKey('passwordpasswordpassword'), fingerprint: true },
  );
  raw[raw.length - 1] ^= 0xff;
  t.like(authenticateRequest(decodeStun(raw), [gen]), { kind: 'drop' });
});
