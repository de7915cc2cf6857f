/**
 * The package's version, as written into recordings (a test checks that it
 * matches package.json).
 */
export const LIBRARY_NAME = 'ice-tcp';
/** The version in package.json. */
export const LIBRARY_VERSION = '0.1.0';
