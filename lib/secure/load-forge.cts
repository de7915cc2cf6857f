/**
 * Loads node-forge on first use, not when the package is imported: only
 * certificate generation needs it (its ASN.1/DER helpers, and RSA keys), so
 * an application that never makes a certificate never loads it.
 *
 * This file is CommonJS (`.cts` → `.cjs`) in both builds so that `require`
 * is its own: resolved from this file's place in the installed package, with
 * no `import.meta` (which a CommonJS build cannot contain). node-forge is
 * CommonJS, so a synchronous `require` keeps `generateCertificate()`
 * synchronous.
 *
 * @module
 */
import type * as Forge from 'node-forge';

let forge: typeof Forge | undefined;

/** node-forge, required on the first call and cached. */
function loadForge(): typeof Forge {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the point of this file (see above)
  forge ??= require('node-forge') as typeof Forge;
  return forge;
}

export = loadForge;
