import test from 'ava';
import { runInProcess, runIceTcp } from './helpers.js';

const COMMANDS = ['demo', 'peer', 'stun-server', 'decode'];

test('spawned: --help lists every command, each command has --help, usage errors exit 64', async (t) => {
  const overview = await runIceTcp(['--help']);
  t.is(overview.code, 0);
  for (const name of COMMANDS) t.regex(overview.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
  const help = await runIceTcp(['peer', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /^usage: ice-tcp peer --controlling\|--controlled/);
  t.is(help.stderr, '');
  const none = await runIceTcp([]);
  t.is(none.code, 64);
  t.regex(none.stderr, /^usage: ice-tcp <command>/);
  const usage = await runIceTcp(['peer', '--controlling', '--frobnicate']);
  t.is(usage.code, 64);
  t.is(usage.stdout, '');
  t.regex(usage.stderr, /^ice-tcp peer: unknown option --frobnicate\n\(see 'ice-tcp peer --help'\)\n$/);
  const version = await runIceTcp(['--version']);
  t.is(version.code, 0);
  t.regex(version.stdout, /^\d+\.\d+\.\d+/);
});

test('--help, -h and help <command> print each command usage and exit 0', async (t) => {
  for (const name of COMMANDS) {
    for (const args of [
      [name, '--help'],
      [name, '-h'],
      ['help', name],
    ]) {
      const r = await runInProcess(args);
      t.is(r.code, 0, args.join(' '));
      t.regex(r.stdout, new RegExp(`^usage: ice-tcp ${name}`), args.join(' '));
      t.is(r.stderr, '');
    }
  }
  const overview = await runInProcess(['help']);
  t.is(overview.code, 0);
  t.regex(overview.stdout, /^usage: ice-tcp <command>/);
});

test('an unknown command and bad options exit 64 with a clear message', async (t) => {
  const unknown = await runInProcess(['frobnicate']);
  t.is(unknown.code, 64);
  t.regex(unknown.stderr, /unknown command "frobnicate" \(commands: demo, peer, stun-server, replay, decode\)/);
  const cases: Array<[string[], RegExp]> = [
    [['peer'], /give exactly one of --controlling and --controlled/],
    [['peer', '--controlling', '--controlled'], /give exactly one of --controlling and --controlled/],
    [['peer', '--controlling', '--udp', 'sometimes'], /--udp must be on or off/],
    [['peer', '--controlling', '--udp', 'off', '--tcp', 'off'], /leave no transport/],
    [['peer', '--controlling', '--tcp', 'off', '--tcptypes', 'so'], /--tcptypes needs --tcp on/],
    [['peer', '--controlling', '--tcptypes', 'active,sideways'], /--tcptypes takes a list of active, passive, so, got "sideways"/],
    [['peer', '--controlling', '--tcptypes', ','], /--tcptypes needs at least one/],
    [['peer', '--controlling', '--chunk', '8'], /--chunk must be from 9 to 65535/],
    [['peer', '--controlling', '--send', '0'], /--send must be from 1/],
    [['peer', '--controlling', '--window', '8'], /--window must be from 9 to 16777216/],
    [['peer', '--controlling', '--window', '16777217'], /--window must be from 9 to 16777216/],
    [['peer', '--controlling', '--echo', '--send', '10'], /--echo and --send exclude each other/],
    [['peer', '--controlling', '--timeout', 'soon'], /--timeout must be a positive number/],
    [['peer', '--controlling', '--nomination', 'eager'], /--nomination must be one of regular, aggressive/],
    [['peer', '--controlling', '--ufrag', 'abcd'], /--ufrag and --pwd go together/],
    [['peer', '--controlling', '--ufrag', 'a', '--pwd', 'b'], /ufrag must be 4-256 ice-chars/],
    [['peer', '--controlling', '--bind', 'localhost'], /--bind must be an IP address/],
    [['peer', '--controlling', '--stun', 'http://example.com'], /stun/],
    [['peer', '--controlling', '--tls', '--tcp', 'off'], /--tls needs TCP candidates/],
    [['peer', '--controlling', '--tls', '--dtls'], /--tls and --dtls exclude each other/],
    [['peer', '--controlling', '--dtls', '--chunk', '20000', '--send', '10'], /--chunk must be at most 16384/],
    [['demo', '--tls', '--dtls'], /--tls and --dtls exclude each other/],
    [['peer', '--controlling', '--frobnicate'], /unknown option --frobnicate/],
    [['demo', '--send', 'lots'], /--send must be an integer/],
    [['demo', '--bind', 'nowhere'], /--bind must be an IP address/],
    [['demo', '--chunk', '70000'], /--chunk must be from 9 to 65535/],
    [['demo', 'extra'], /unexpected argument "extra"/],
    [['stun-server', '--tcp', 'x'], /--tcp must be an integer/],
    [['decode', '--pwd'], /--pwd needs a value/],
  ];
  for (const [args, pattern] of cases) {
    const r = await runInProcess(args);
    t.is(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, pattern, args.join(' '));
    t.regex(r.stderr, new RegExp(`^ice-tcp ${args[0]}: .*\\n\\(see 'ice-tcp ${args[0]} --help'\\)\\n$`), args.join(' '));
    t.is(r.stdout, '', 'nothing on stdout: no signalling was started');
  }
});
