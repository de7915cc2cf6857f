import test from 'ava';
import { parseArgs, parseInteger } from '../../lib/cli/args.js';
import { CliError } from '../../lib/cli/cli-errors.js';

const spec = { echo: 'flag', timeout: 'value', bind: 'values', udp: 'value', mode: 'value' } as const;

test('flags, values, repeatable values and positionals', (t) => {
  const args = parseArgs(['--echo', '--timeout', '5', '--bind=127.0.0.1', '--bind', '::1', 'file'], spec, { maxPositionals: 1 });
  t.true(args.has('echo'));
  t.false(args.has('udp'));
  t.is(args.string('timeout'), '5');
  t.deepEqual(args.strings('bind'), ['127.0.0.1', '::1']);
  t.deepEqual(args.strings('udp'), []);
  t.deepEqual(args.positionals, ['file']);
  t.is(args.integer('timeout', { min: 1, max: 10 }), 5);
  t.is(args.integer('udp', { min: 1, max: 10 }, 7), 7);
  t.is(args.string('udp', 'x'), 'x');
});

test('- is a positional, -- ends the options, -h is help', (t) => {
  const args = parseArgs(['-', '--', '--echo'], spec, { maxPositionals: 2 });
  t.deepEqual(args.positionals, ['-', '--echo']);
  t.false(args.has('echo'));
  t.true(parseArgs(['-h'], spec).has('help'));
  t.true(parseArgs(['--help'], spec).has('help'));
});

test('typed accessors', (t) => {
  const args = parseArgs(['--udp', 'off', '--timeout', '0.5', '--mode', 'b'], spec);
  t.false(args.onOff('udp', true));
  t.true(parseArgs(['--udp', 'ON'], spec).onOff('udp', false));
  t.true(parseArgs([], spec).onOff('udp', true));
  t.is(args.positiveNumber('timeout', 20), 0.5);
  t.is(parseArgs([], spec).positiveNumber('timeout', 20), 20);
  t.is(args.choice('mode', ['a', 'b'] as const, 'a'), 'b');
  t.is(parseArgs([], spec).choice('mode', ['a', 'b'] as const, 'a'), 'a');
});

test('every mistake is a usage error that names the option', (t) => {
  const usage = (argv: string[], pattern: RegExp, max = 0): void => {
    const error = t.throws(
      () => {
        const a = parseArgs(argv, spec, { maxPositionals: max });
        a.integer('timeout', { min: 1, max: 10 });
        a.onOff('udp', true);
        a.choice('mode', ['a', 'b'] as const, 'a');
      },
      { instanceOf: CliError },
    );
    t.is(error?.code, 'ERR_CLI_USAGE');
    t.is(error?.exitCode, 64);
    t.regex(error?.message ?? '', pattern, argv.join(' '));
  };
  usage(['--nope'], /unknown option --nope/);
  usage(['-x'], /unknown option -x/);
  usage(['--timeout'], /--timeout needs a value/);
  usage(['--echo=1'], /--echo takes no value/);
  usage(['--timeout', '1', '--timeout', '2'], /--timeout given more than once/);
  usage(['a'], /unexpected argument "a"/);
  usage(['a', 'b'], /too many arguments: "a" "b"/, 1);
  usage(['--timeout', 'x'], /--timeout must be an integer, got "x"/);
  usage(['--timeout', '11'], /--timeout must be from 1 to 10, got 11/);
  usage(['--udp', 'maybe'], /--udp must be on or off, got "maybe"/);
  usage(['--mode', 'c'], /--mode must be one of a, b, got "c"/);
  t.throws(() => parseArgs(['--timeout', '-1'], spec).positiveNumber('timeout', 1), { message: /--timeout must be a positive number/ });
  t.throws(() => parseArgs(['--timeout', ''], spec).positiveNumber('timeout', 1), { message: /positive number/ });
  t.throws(() => parseInteger('--x', '99999999999999999999', { min: 0, max: Number.MAX_SAFE_INTEGER }), { instanceOf: CliError });
  // Prototype names are not options.
  usage(['--toString'], /unknown option --toString/);
});
