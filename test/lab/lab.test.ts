/**
 * The lab itself (test/lab/netlab.sh): each scenario does what README.md says,
 * checked with real traffic, and leaves no namespace behind. Skips with the
 * reason printed where namespaces cannot be made (not root, no netns).
 */
import test from 'ava';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { labUnavailableReason, startLab, withLab, type Lab, type LabHost } from './lab.js';

const PROBE = fileURLToPath(new URL('./probe-tool.js', import.meta.url));
const reason = labUnavailableReason();
if (reason !== undefined) console.log(`network lab tests skipped: ${reason}`);
const labTest = reason === undefined ? test : test.skip;

function probe(lab: Lab, host: LabHost, ...args: (string | number)[]): Promise<string> {
  return lab.exec(host, process.execPath, [PROBE, ...args.map(String)]).then((s) => s.trim());
}

/** Starts the reflector in `host` on ADDR:PORT and waits until it listens. */
async function reflector(lab: Lab, host: LabHost, addr: string, port: number): Promise<void> {
  const child = lab.spawn(host, process.execPath, [PROBE, 'reflect', addr, String(port), '30']);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`reflector exited ${code}`)));
  });
}

labTest('open: A and B reach each other over UDP and TCP; down removes every namespace', async (t) => {
  const lab = await startLab('open');
  try {
    const { bIp, aIp } = lab.addresses;
    await reflector(lab, 'b', bIp, 4000);
    t.is(await probe(lab, 'a', 'udp', bIp, 4000, 5000, 3000), `${aIp}:5000`);
    t.is(await probe(lab, 'a', 'tcp', bIp, 4000, 5001, 3000), `${aIp}:5001`);
  } finally {
    await lab.down();
  }
  t.false(
    readdirSync('/run/netns').some((n) => n.startsWith(`${lab.id}-`)),
    'no namespace of the lab is left',
  );
  t.false(existsSync(`/run/netns/${lab.namespace('pub')}`));
});

labTest('udp-blocked: no UDP at all, outbound TCP to any port, nothing inbound to A', (t) =>
  withLab('udp-blocked', async (lab) => {
    const { bIp, aIp, pubIp } = lab.addresses;
    await reflector(lab, 'b', bIp, 4000);
    await reflector(lab, 'pub', pubIp, 3478);
    await reflector(lab, 'a', aIp, 4001);
    t.is(await probe(lab, 'a', 'udp', bIp, 4000, 5000, 1500), 'timeout');
    t.is(await probe(lab, 'a', 'udp', pubIp, 3478, 5000, 1500), 'timeout');
    t.is(await probe(lab, 'a', 'tcp', bIp, 4000, 0, 3000).then((s) => s.split(':')[0]), aIp);
    t.is(await probe(lab, 'a', 'tcp', pubIp, 3478, 0, 3000).then((s) => s.split(':')[0]), aIp);
    t.is(await probe(lab, 'b', 'tcp', aIp, 4001, 0, 1500), 'timeout', 'inbound SYN dropped silently');
  }),
);

labTest('tcp-only-outbound: A reaches TCP 443 and 80 only', (t) =>
  withLab('tcp-only-outbound', async (lab) => {
    const { bIp, aIp } = lab.addresses;
    for (const port of [443, 80, 4000]) await reflector(lab, 'b', bIp, port);
    t.is(await probe(lab, 'a', 'tcp', bIp, 443, 0, 3000).then((s) => s.split(':')[0]), aIp);
    t.is(await probe(lab, 'a', 'tcp', bIp, 80, 0, 3000).then((s) => s.split(':')[0]), aIp);
    t.is(await probe(lab, 'a', 'tcp', bIp, 4000, 0, 1500), 'timeout');
    t.is(await probe(lab, 'a', 'udp', bIp, 443, 5000, 1500), 'timeout');
  }),
);

labTest('cone-nat: port-preserving endpoint-independent mapping; unsolicited SYNs dropped without RST', (t) =>
  withLab('cone-nat', async (lab) => {
    const { aPublicIp, bPublicIp, pubIp, pubIp2, bIp } = lab.addresses;
    await reflector(lab, 'pub', pubIp, 3478);
    await reflector(lab, 'pub', pubIp2, 3478);
    t.is(await probe(lab, 'a', 'udp', pubIp, 3478, 5000, 3000), `${aPublicIp}:5000`);
    t.is(await probe(lab, 'a', 'udp', pubIp2, 3478, 5000, 3000), `${aPublicIp}:5000`);
    t.is(await probe(lab, 'b', 'tcp', pubIp, 3478, 6000, 3000), `${bPublicIp}:6000`);
    await reflector(lab, 'b', bIp, 7000);
    // a SYN to B's NAT that B never asked for: no answer at all (not "error ECONNREFUSED")
    t.is(await probe(lab, 'a', 'tcp', bPublicIp, 7000, 0, 1500), 'timeout');
  }),
);

labTest('symmetric-nat: a new mapping per destination', (t) =>
  withLab('symmetric-nat', async (lab) => {
    const { aPublicIp, pubIp, pubIp2 } = lab.addresses;
    await reflector(lab, 'pub', pubIp, 3478);
    await reflector(lab, 'pub', pubIp2, 3478);
    const one = await probe(lab, 'a', 'udp', pubIp, 3478, 5000, 3000);
    const two = await probe(lab, 'a', 'udp', pubIp2, 3478, 5000, 3000);
    t.is(one.split(':')[0], aPublicIp);
    t.is(two.split(':')[0], aPublicIp);
    t.not(one, two);
  }),
);

labTest('mixed-nat: A keeps one mapping for every destination, B gets a new one per destination', (t) =>
  withLab('mixed-nat', async (lab) => {
    const { aPublicIp, bPublicIp, pubIp, pubIp2 } = lab.addresses;
    await reflector(lab, 'pub', pubIp, 3478);
    await reflector(lab, 'pub', pubIp2, 3478);
    t.is(await probe(lab, 'a', 'udp', pubIp, 3478, 5000, 3000), `${aPublicIp}:5000`);
    t.is(await probe(lab, 'a', 'udp', pubIp2, 3478, 5000, 3000), `${aPublicIp}:5000`);
    const one = await probe(lab, 'b', 'udp', pubIp, 3478, 5000, 3000);
    const two = await probe(lab, 'b', 'udp', pubIp2, 3478, 5000, 3000);
    t.is(one.split(':')[0], bPublicIp);
    t.not(one, two);
  }),
);

labTest('udp-blocked-symmetric: A has no UDP and nothing inbound; B gets a new mapping per destination', (t) =>
  withLab('udp-blocked-symmetric', async (lab) => {
    const { aIp, bIp, bPublicIp, pubIp, pubIp2 } = lab.addresses;
    await reflector(lab, 'pub', pubIp, 3478);
    await reflector(lab, 'pub', pubIp2, 3478);
    await reflector(lab, 'a', aIp, 4001);
    await reflector(lab, 'b', bIp, 4002);
    t.is(await probe(lab, 'a', 'udp', pubIp, 3478, 5000, 1500), 'timeout');
    t.is(await probe(lab, 'a', 'tcp', pubIp, 3478, 0, 3000).then((s) => s.split(':')[0]), aIp, 'A opens TCP out, not NATed');
    const one = await probe(lab, 'b', 'udp', pubIp, 3478, 5000, 3000);
    const two = await probe(lab, 'b', 'udp', pubIp2, 3478, 5000, 3000);
    t.is(one.split(':')[0], bPublicIp);
    t.is(two.split(':')[0], bPublicIp);
    t.not(one, two);
    t.is(await probe(lab, 'b', 'tcp', aIp, 4001, 0, 1500), 'timeout', 'nothing connects in to A');
    t.is(await probe(lab, 'a', 'tcp', bPublicIp, 4002, 0, 1500), 'timeout', 'nothing connects in to B');
  }),
);

labTest('lossy: about 200 ms round trip, some datagrams lost', (t) =>
  withLab(
    'lossy',
    async (lab) => {
      const { bIp } = lab.addresses;
      await reflector(lab, 'b', bIp, 4000);
      let answered = 0;
      let lost = 0;
      let minRtt = Infinity;
      for (let i = 0; i < 30 && (answered < 3 || lost < 1); i++) {
        const t0 = Date.now();
        const reply = await probe(lab, 'a', 'udp', bIp, 4000, 5000 + i, 700);
        if (reply === 'timeout') lost++;
        else {
          answered++;
          minRtt = Math.min(minRtt, Date.now() - t0);
        }
      }
      t.true(answered >= 3, `answered ${answered}`);
      t.true(lost >= 1, `lost ${lost} (5% each way)`);
      t.true(minRtt >= 195, `round trip ${minRtt} ms includes 2 × 100 ms`);
    },
    { seed: 7 },
  ),
);

labTest('two labs run at once without seeing each other', async (t) => {
  const [one, two] = await Promise.all([startLab('open'), startLab('open')]);
  try {
    t.not(one.id, two.id);
    await reflector(one, 'b', one.addresses.bIp, 4000);
    t.is(await probe(one, 'a', 'udp', one.addresses.bIp, 4000, 5000, 3000), `${one.addresses.aIp}:5000`);
    t.is(await probe(two, 'a', 'udp', two.addresses.bIp, 4000, 5000, 1500), 'timeout', "the other lab's B is not here");
  } finally {
    await Promise.all([one.down(), two.down()]);
  }
});
