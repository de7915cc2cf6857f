#!/usr/bin/env node
/**
 * The `ice-tcp` executable: runs {@link runCli} on the process's arguments
 * and streams, and exits with its code.
 */
import createDebug from 'debug';
import { runCli } from './run-cli.js';

const debug = createDebug('ice-tcp:cli');

// A reader that went away (`ice-tcp peer | head`) is not a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    debug('output closed by the reader (EPIPE)');
  });
}

const code = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
// Every command releases its handles; if one is still held (a socket in
// TIME_WAIT handling, a stuck peer), do not hang: exit shortly after.
setTimeout(() => {
  debug('handles still open after the command ended: exiting');
  process.exit(code);
}, 2000).unref();
