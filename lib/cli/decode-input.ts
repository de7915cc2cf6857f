/**
 * The bytes `ice-tcp decode` works on: a `--hex` string, a file, or stdin,
 * bounded in size. Files and stdin holding only hex digits (and blanks or
 * colons) are taken as hex text, unless `--binary` says they are raw bytes.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CliError } from './cli-errors.js';

/** Largest input read (16 MiB): decode is for captures and test vectors, not bulk data. */
export const MAX_DECODE_INPUT = 16 * 1024 * 1024;

/** Where the input comes from. */
export type DecodeSource = { kind: 'hex'; text: string } | { kind: 'file'; path: string } | { kind: 'stdin' };

const HEX_TEXT = /^[\s:0-9a-fA-F]*$/;

/**
 * Parses hex text: pairs of hex digits, with optional blanks, colons and a
 * leading `0x` ignored.
 *
 * @throws CliError `ERR_CLI_INPUT` for a character that is not a hex digit
 *   or an odd number of digits
 */
export function parseHex(text: string, label: string): Buffer {
  const digits = text.trim().replace(/^0x/i, '').replace(/[\s:]/g, '');
  const bad = /[^0-9a-fA-F]/.exec(digits);
  if (bad !== null) {
    throw new CliError('ERR_CLI_INPUT', `${label}: ${JSON.stringify(bad[0])} is not a hex digit`);
  }
  if (digits.length % 2 !== 0) throw new CliError('ERR_CLI_INPUT', `${label}: odd number of hex digits (${digits.length})`);
  return Buffer.from(digits, 'hex');
}

/** True when `bytes` is hex text rather than raw STUN or RFC 4571 bytes (which start with 0x00-0x3f or a length byte). */
function looksLikeHexText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  const text = bytes.toString('latin1');
  return HEX_TEXT.test(text) && /[0-9a-fA-F]{2}/.test(text);
}

async function readStream(stream: Readable, label: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > MAX_DECODE_INPUT) {
      throw new CliError('ERR_CLI_INPUT', `${label}: more than ${MAX_DECODE_INPUT} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

async function readInputFile(path: string): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError('ERR_CLI_INPUT', `${path}: not a regular file`);
    if (info.size > MAX_DECODE_INPUT) throw new CliError('ERR_CLI_INPUT', `${path}: more than ${MAX_DECODE_INPUT} bytes`);
    return await readFile(path);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError('ERR_CLI_INPUT', `${path}: ${why}`, { cause: error });
  }
}

/**
 * Reads the input bytes.
 *
 * @throws CliError `ERR_CLI_INPUT` (unreadable, too large, bad hex, empty)
 */
export async function readDecodeInput(source: DecodeSource, stdin: Readable, binary: boolean): Promise<Buffer> {
  let bytes: Buffer;
  let label: string;
  if (source.kind === 'hex') {
    bytes = parseHex(source.text, '--hex');
    label = '--hex';
  } else {
    label = source.kind === 'file' ? source.path : 'stdin';
    bytes = source.kind === 'file' ? await readInputFile(source.path) : await readStream(stdin, 'stdin');
    if (!binary && looksLikeHexText(bytes)) bytes = parseHex(bytes.toString('latin1'), label);
  }
  if (bytes.length === 0) throw new CliError('ERR_CLI_INPUT', `${label}: no bytes to decode`);
  return bytes;
}
