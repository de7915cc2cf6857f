// RFC 4571 decoder throughput: FrameDecoder on random chunkings against
//  - a bare header walk over one contiguous buffer (the limit): it reads each
//    LENGTH and hands the same sink the same subarray view, with no chunk
//    boundaries, no state and no checks;
//  - a Buffer.concat-per-chunk decoder (the common naive design): every chunk
//    is concatenated to the leftover bytes before walking.
// All three deliver every frame as a Buffer to the same sink, which counts
// frames and bytes; each pass is checked to have seen every frame.
import { FrameDecoder, encodeFrame } from '../lib/framing/index.js';
import { printTable, type BenchRow } from './table.js';

const FRAME_SIZES = [100, 1200, 16000];
/** Bytes of wire data per case (whole frames). */
const WIRE_BYTES = 8 * 1024 * 1024;
const MS_PER_TRIAL = 400;
const TRIALS = 3;

let sinkFrames = 0;
let sinkBytes = 0;
function sink(frame: Buffer): void {
  sinkFrames++;
  sinkBytes += frame.length;
}

/** The limit: one buffer, read LENGTH, hand out the view, skip. */
function headerWalk(wire: Buffer): void {
  const size = wire.length;
  let offset = 0;
  while (offset + 2 <= size) {
    const length = (wire[offset] << 8) | wire[offset + 1];
    const end = offset + 2 + length;
    sink(wire.subarray(offset + 2, end));
    offset = end;
  }
}

/** The naive design: concatenate every chunk to the leftover, then walk. */
class ConcatDecoder {
  private leftover = Buffer.alloc(0);
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    const data = Buffer.concat([this.leftover, chunk]);
    const size = data.length;
    let offset = 0;
    while (offset + 2 <= size) {
      const length = (data[offset] << 8) | data[offset + 1];
      const end = offset + 2 + length;
      if (end > size) break;
      onFrame(data.subarray(offset + 2, end));
      offset = end;
    }
    this.leftover = data.subarray(offset);
  }
}

/** Deterministic xorshift32, so every run uses the same chunkings. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

/** Cuts `wire` into chunks of random sizes uniform in [1, maxChunk] (views, made before timing). */
function chunkify(wire: Buffer, maxChunk: number, seed: number): Buffer[] {
  const rnd = prng(seed);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < wire.length;) {
    const size = 1 + Math.floor(rnd() * maxChunk);
    chunks.push(wire.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

/** CPU time (user + system) this process has used, in seconds. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Runs `pass` for about `ms` of CPU time; returns passes per CPU second.
 * CPU time, not wall time: the machine is shared, and this work is
 * single-threaded, so CPU time measures its cost without other tenants'
 * scheduling noise. Checks each pass saw `frames` frames.
 */
function passesPerSecond(pass: () => void, frames: number, ms: number): number {
  for (let i = 0; i < 3; i++) pass(); // warm-up
  const start = cpuSeconds();
  const deadline = start + ms / 1000;
  let passes = 0;
  let now = start;
  while (now < deadline) {
    sinkFrames = 0;
    pass();
    if (sinkFrames !== frames) throw new Error(`a pass delivered ${sinkFrames} frames, expected ${frames}`);
    passes++;
    now = cpuSeconds();
  }
  return passes / (now - start);
}

interface Case {
  name: string;
  pass: () => void;
}

/** Runs the decoder benchmark and prints one table per frame size. */
export async function run(): Promise<void> {
  console.log(
    `Each case decodes ${WIRE_BYTES / 1024 / 1024} MiB of back-to-back frames per pass; best of ${TRIALS} ` +
      `interleaved trials of ${MS_PER_TRIAL} ms of process CPU time. MB/s counts wire bytes (headers included). ` +
      'Chunk sizes are uniform random in the range shown (fixed seed).\n',
  );
  for (const frameSize of FRAME_SIZES) {
    const frames = Math.floor(WIRE_BYTES / (frameSize + 2));
    const payload = Buffer.alloc(frameSize, 0xab);
    const wire = Buffer.concat(Array.from({ length: frames }, () => encodeFrame(payload)));
    const large = chunkify(wire, 65536, 4571 + frameSize);
    const small = chunkify(wire, 1500, 6544 + frameSize);
    const decodeChunks = (chunks: Buffer[]) => (): void => {
      const decoder = new FrameDecoder();
      for (const chunk of chunks) decoder.push(chunk, sink);
    };
    const concatChunks = (chunks: Buffer[]) => (): void => {
      const decoder = new ConcatDecoder();
      for (const chunk of chunks) decoder.push(chunk, sink);
    };
    const baseline = 'header walk, one buffer';
    const cases: Case[] = [
      { name: baseline, pass: () => headerWalk(wire) },
      { name: 'FrameDecoder, chunks 1..65536 B', pass: decodeChunks(large) },
      { name: 'Buffer.concat decoder, chunks 1..65536 B', pass: concatChunks(large) },
      { name: 'FrameDecoder, chunks 1..1500 B', pass: decodeChunks(small) },
      { name: 'Buffer.concat decoder, chunks 1..1500 B', pass: concatChunks(small) },
    ];
    const best = new Map<string, number>();
    for (let trial = 0; trial < TRIALS; trial++) {
      for (const c of cases) {
        const rate = passesPerSecond(c.pass, frames, MS_PER_TRIAL);
        best.set(c.name, Math.max(best.get(c.name) ?? 0, rate));
      }
    }
    const rows: BenchRow[] = cases.map((c) => {
      const passes = best.get(c.name)!;
      return {
        name: c.name,
        value: passes * frames,
        unit: 'frames/s',
        extra: `${Math.round((passes * wire.length) / 1e6).toLocaleString('en-US')} MB/s`,
      };
    });
    printTable(`RFC 4571 decoder, ${frameSize}-byte frames (${frames.toLocaleString('en-US')} per pass)`, rows, baseline);
  }
  if (sinkBytes < 0) console.log(sinkBytes); // keeps the sink's work observable
}
