import test from 'ava';
import { IceTcpError } from '../lib/index.js';

test('IceTcpError carries a stable code and its subclass name', (t) => {
  class SampleError extends IceTcpError {}
  const e = new SampleError('ERR_SAMPLE', 'a sample');
  t.true(e instanceof Error);
  t.true(e instanceof IceTcpError);
  t.is(e.code, 'ERR_SAMPLE');
  t.is(e.name, 'SampleError');
  t.is(e.message, 'a sample');
});
