import test from 'ava';
import { EventEmitter } from 'node:events';
import { readFlowControl } from '../../lib/secure/flow-control.js';
import { PacketByteStream } from '../../lib/secure/index.js';

class Conn extends EventEmitter {
  readonly transport = 'tcp' as const;
  calls: string[] = [];
  send(): boolean {
    return true;
  }
  close(): void {}
}

test('pause()/resume() connections (FramedConnection style) are driven through them', (t) => {
  const conn = Object.assign(new Conn(), {
    pause(this: Conn) {
      this.calls.push('pause');
    },
    resume(this: Conn) {
      this.calls.push('resume');
    },
  });
  const flow = readFlowControl(conn)!;
  flow.pause();
  flow.resume();
  t.deepEqual(conn.calls, ['pause', 'resume']);
});

test('pauseReading()/resumeReading() connections (IceConnection style) too', (t) => {
  const conn = Object.assign(new Conn(), {
    pauseReading(this: Conn) {
      this.calls.push('pauseReading');
    },
    resumeReading(this: Conn) {
      this.calls.push('resumeReading');
    },
  });
  const flow = readFlowControl(conn)!;
  flow.pause();
  flow.resume();
  t.deepEqual(conn.calls, ['pauseReading', 'resumeReading']);
});

test('a connection with neither has no flow control', (t) => {
  t.is(readFlowControl(new Conn()), undefined);
  t.is(readFlowControl(Object.assign(new Conn(), { pause() {} })), undefined, 'pause without resume is not enough');
});

test('the byte stream pauses an IceConnection-style connection when TLS falls behind, and resumes it', async (t) => {
  const conn = Object.assign(new Conn(), {
    pauseReading(this: Conn) {
      this.calls.push('pauseReading');
    },
    resumeReading(this: Conn) {
      this.calls.push('resumeReading');
    },
  });
  const stream = new PacketByteStream(conn, { gate: false });
  for (let i = 0; i < 4; i++) conn.emit('packet', Buffer.alloc(16 * 1024, 0xff));
  t.deepEqual(conn.calls, ['pauseReading']);
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n === 64 * 1024) break;
  }
  t.deepEqual(conn.calls, ['pauseReading', 'resumeReading']);
});
