/**
 * ice-tcp: ICE-TCP (RFC 6544) with RFC 4571 framing as a transport plugin
 * for a sans-IO ICE (RFC 8445) agent.
 *
 * This file is the public API and nothing else: it only re-exports.
 */
export { IceTcpError } from './errors.js';
export * from './stun/index.js';
export * from './candidate/index.js';
export * from './ice/index.js';
export * from './framing/index.js';
export * from './secure/index.js';
export * from './replay/index.js';
export * from './net/index.js';
export * from './dtls/index.js';
