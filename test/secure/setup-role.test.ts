import test from 'ava';
import {
  DEFAULT_ANSWER_SETUP,
  DEFAULT_OFFER_SETUP,
  SecureError,
  chooseAnswerSetup,
  formatSetupAttribute,
  formatSetupLine,
  negotiateTlsRoles,
  parseSetupLine,
  parseSetupRole,
  tlsRoleFor,
  validateSetupAnswer,
  type SetupRole,
} from '../../lib/secure/index.js';

const ROLES: SetupRole[] = ['active', 'passive', 'actpass', 'holdconn'];

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof SecureError ? error.code : `not a SecureError: ${String(error)}`;
  }
};

test('setup lines: format and parse all three forms, any case', (t) => {
  for (const role of ROLES) {
    t.is(formatSetupAttribute(role), `a=setup:${role}`);
    t.is(formatSetupLine(role), `setup ${role}`);
    t.is(parseSetupLine(formatSetupAttribute(role)), role);
    t.is(parseSetupLine(formatSetupLine(role)), role);
    t.is(parseSetupLine(`setup:${role}`), role);
    t.is(parseSetupLine(`  A=SETUP:${role.toUpperCase()}\r\n`), role);
    t.is(parseSetupLine(`Setup\t${role}`), role);
    t.is(parseSetupRole(` ${role.toUpperCase()} `), role);
  }
});

test('bad setup lines and values give ERR_SETUP_SYNTAX', (t) => {
  for (const line of ['', 'setup', 'a=setup:', 'a=setup:client', 'setup active passive', 'a=fingerprint:sha-256 AB', 'xsetup active']) {
    t.is(
      code(() => parseSetupLine(line)),
      'ERR_SETUP_SYNTAX',
      line,
    );
  }
  t.is(
    code(() => parseSetupLine(3 as never)),
    'ERR_SETUP_SYNTAX',
  );
  t.is(
    code(() => parseSetupRole('server')),
    'ERR_SETUP_SYNTAX',
  );
  t.is(
    code(() => parseSetupRole(undefined as never)),
    'ERR_SETUP_SYNTAX',
  );
  t.is(
    code(() => formatSetupAttribute('both' as never)),
    'ERR_SETUP_SYNTAX',
  );
});

test('RFC 4145 §4.1 table: exactly the allowed offer/answer pairs validate', (t) => {
  const allowed = new Set([
    'active/passive',
    'active/holdconn',
    'passive/active',
    'passive/holdconn',
    'actpass/active',
    'actpass/passive',
    'actpass/holdconn',
    'holdconn/holdconn',
  ]);
  for (const offer of ROLES) {
    for (const answer of ROLES) {
      const result = code(() => validateSetupAnswer(offer, answer));
      if (allowed.has(`${offer}/${answer}`)) t.is(result, undefined, `${offer}/${answer}`);
      else t.is(result, 'ERR_SETUP_INVALID_ANSWER', `${offer}/${answer}`);
    }
  }
});

test('missing values take the RFC 4145 defaults: active offer, passive answer', (t) => {
  t.is(DEFAULT_OFFER_SETUP, 'active');
  t.is(DEFAULT_ANSWER_SETUP, 'passive');
  t.deepEqual(negotiateTlsRoles(undefined, undefined), { offerer: 'client', answerer: 'server' });
  t.deepEqual(negotiateTlsRoles('actpass', undefined), { offerer: 'client', answerer: 'server' });
  t.deepEqual(negotiateTlsRoles(undefined, 'passive'), { offerer: 'client', answerer: 'server' });
  t.is(
    code(() => negotiateTlsRoles(undefined, 'active')),
    'ERR_SETUP_INVALID_ANSWER',
  );
  t.is(chooseAnswerSetup(undefined), 'passive');
});

test('actpass offer answered active makes the answerer the TLS client', (t) => {
  t.is(chooseAnswerSetup('actpass'), 'active');
  t.deepEqual(negotiateTlsRoles('actpass', 'active'), { offerer: 'server', answerer: 'client' });
  t.is(tlsRoleFor('answerer', 'actpass', 'active'), 'client');
  t.is(tlsRoleFor('offerer', 'actpass', 'active'), 'server');
  t.deepEqual(negotiateTlsRoles('actpass', 'passive'), { offerer: 'client', answerer: 'server' });
});

test('explicit roles: active is the client, passive the server, whoever offered', (t) => {
  t.is(chooseAnswerSetup('active'), 'passive');
  t.is(chooseAnswerSetup('passive'), 'active');
  t.is(chooseAnswerSetup('holdconn'), 'holdconn');
  t.deepEqual(negotiateTlsRoles('active', 'passive'), { offerer: 'client', answerer: 'server' });
  t.deepEqual(negotiateTlsRoles('passive', 'active'), { offerer: 'server', answerer: 'client' });
  // The answer chosen for any non-holdconn offer always negotiates.
  for (const offer of ['active', 'passive', 'actpass'] as const) {
    const roles = negotiateTlsRoles(offer, chooseAnswerSetup(offer));
    t.not(roles.offerer, roles.answerer);
  }
});

test('roles do not depend on who opened TCP: the same inputs give the same roles on both sides', (t) => {
  // The TCP opener (ICE tcptype active/so) is not an input at all (RFC 6544 §4.5):
  // both ends compute complementary roles from the same offer and answer.
  for (const [offer, answer] of [
    ['actpass', 'active'],
    ['actpass', 'passive'],
    ['active', 'passive'],
    ['passive', 'active'],
  ] as const) {
    const mine = tlsRoleFor('offerer', offer, answer);
    const theirs = tlsRoleFor('answerer', offer, answer);
    t.not(mine, theirs);
    t.is(mine, answer === 'active' ? 'server' : 'client');
  }
});

test('holdconn gives ERR_SETUP_HOLDCONN; invalid pairs ERR_SETUP_INVALID_ANSWER; bad side ERR_SECURE_BAD_OPTION', (t) => {
  t.is(
    code(() => negotiateTlsRoles('actpass', 'holdconn')),
    'ERR_SETUP_HOLDCONN',
  );
  t.is(
    code(() => negotiateTlsRoles('holdconn', 'holdconn')),
    'ERR_SETUP_HOLDCONN',
  );
  t.is(
    code(() => negotiateTlsRoles('active', 'active')),
    'ERR_SETUP_INVALID_ANSWER',
  );
  t.is(
    code(() => negotiateTlsRoles('passive', 'passive')),
    'ERR_SETUP_INVALID_ANSWER',
  );
  t.is(
    code(() => negotiateTlsRoles('actpass', 'actpass')),
    'ERR_SETUP_INVALID_ANSWER',
  );
  t.is(
    code(() => negotiateTlsRoles('holdconn', 'active')),
    'ERR_SETUP_INVALID_ANSWER',
  );
  t.is(
    code(() => tlsRoleFor('both' as never, 'actpass', 'active')),
    'ERR_SECURE_BAD_OPTION',
  );
  t.is(
    code(() => tlsRoleFor('offerer', 'bogus' as never, 'active')),
    'ERR_SETUP_SYNTAX',
  );
});
