// Mapping socket errors to the core's connect-failed and closed reasons.
import test from 'ava';
import { FramingError } from '../../../lib/framing/index.js';
import { closeReason, connectFailReason } from '../../../lib/net/tcp/index.js';
import { errorCode } from '../../../lib/net/tcp/socket-errors.js';

const sysError = (code: string): Error => Object.assign(new Error(`connect ${code}`), { code });

test('connect failures: refused, reset, timeout, unreachable, error', (t) => {
  t.is(connectFailReason(sysError('ECONNREFUSED')), 'refused');
  t.is(connectFailReason(sysError('ECONNRESET')), 'reset');
  t.is(connectFailReason(sysError('EPIPE')), 'reset');
  t.is(connectFailReason(sysError('ETIMEDOUT')), 'timeout');
  for (const code of ['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']) {
    t.is(connectFailReason(sysError(code)), 'unreachable', code);
  }
  t.is(connectFailReason(sysError('EADDRINUSE')), 'error');
  t.is(connectFailReason(new Error('no code')), 'error');
  t.is(connectFailReason('a string'), 'error');
  t.is(connectFailReason(null), 'error');
});

test('close reasons: end without error, reset, error otherwise', (t) => {
  t.is(closeReason(undefined), 'end');
  t.is(closeReason(sysError('ECONNRESET')), 'reset');
  t.is(closeReason(sysError('EPIPE')), 'reset');
  t.is(closeReason(sysError('ETIMEDOUT')), 'error');
  t.is(closeReason(new FramingError('ERR_FRAME_TRUNCATED', 'x')), 'error');
});

test('errorCode reads only string codes', (t) => {
  t.is(errorCode(sysError('EPIPE')), 'EPIPE');
  t.is(errorCode({ code: 42 }), undefined);
  t.is(errorCode(undefined), undefined);
});
