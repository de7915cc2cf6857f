import test from 'ava';
import { StunClass, isComprehensionRequired, stunClassOf, stunMessageType, stunMethodOf } from '../../lib/stun/index.js';

test('message types of the Binding method (RFC 8489 §5, §6)', (t) => {
  t.is(stunMessageType(StunClass.Request, 1), 0x0001);
  t.is(stunMessageType(StunClass.Indication, 1), 0x0011);
  t.is(stunMessageType(StunClass.SuccessResponse, 1), 0x0101);
  t.is(stunMessageType(StunClass.ErrorResponse, 1), 0x0111);
});

test('every class and 12-bit method round-trips through the 14-bit type', (t) => {
  const types = new Set<number>();
  for (let method = 0; method <= 0xfff; method++) {
    for (const cls of [StunClass.Request, StunClass.Indication, StunClass.SuccessResponse, StunClass.ErrorResponse]) {
      const type = stunMessageType(cls, method);
      if (type >> 14 !== 0 || stunClassOf(type) !== cls || stunMethodOf(type) !== method) {
        t.fail(`class ${cls} method ${method} -> 0x${type.toString(16)}`);
        return;
      }
      types.add(type);
    }
  }
  t.is(types.size, 0x4000, 'a bijection onto the 14-bit types');
});

test('comprehension-required range is 0x0000-0x7FFF (RFC 8489 §14)', (t) => {
  t.true(isComprehensionRequired(0x0000));
  t.true(isComprehensionRequired(0x7fff));
  t.false(isComprehensionRequired(0x8000));
  t.false(isComprehensionRequired(0xffff));
});
