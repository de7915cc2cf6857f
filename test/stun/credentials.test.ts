import test from 'ava';
import { longTermKey, shortTermKey } from '../../lib/stun/index.js';

test('short-term key: the password as UTF-8 (RFC 8489 §9.1.1)', (t) => {
  t.is(shortTermKey('VOkJxbRl1RmTxUk/WvJxBt').toString('hex'), '564f6b4a7862526c31526d5478556b2f57764a784274');
  t.deepEqual(shortTermKey('é'), Buffer.from([0xc3, 0xa9]));
});

test('long-term key: MD5(username:realm:password) (RFC 8489 §9.2.2; RFC 5769 §2.4 credentials)', (t) => {
  // The RFC 5769 §2.4 password after SASLprep is "TheMatrIX".
  t.is(longTermKey('\u30de\u30c8\u30ea\u30c3\u30af\u30b9', 'example.org', 'TheMatrIX').toString('hex'), 'e8ca7ad59d5eb0518e312911d2dab2a9');
  t.is(longTermKey('user', 'realm', 'pass').toString('hex'), '8493fbc53ba582fb4c044c456bdc40eb');
});
