/**
 * A sans-IO TURN client (RFC 8656), with TCP allocations (RFC 6062): one
 * allocation on one TURN server, as a deterministic state machine in the
 * style of the ICE core. Inputs carry `now` (ms, monotonic, chosen by the
 * caller); randomness (transaction ids) comes from an injected source;
 * outputs are polled:
 *
 * ```
 *   caller ──allocate / send / handleMessage / handleTimeout / close──▶ TurnClient
 *   caller ◀──pollTransmit (bytes to the server) / pollEvent / pollTimeout── TurnClient
 * ```
 *
 * Timers: the allocation is refreshed before its lifetime ends (RFC 8656
 * §8), used permissions every 240 s of their 300 s (§9), channels before
 * their 600 s (§12); unused permissions and channels lapse. Wrong
 * credentials end the client in `failed` with `ERR_TURN_UNAUTHORIZED` and no
 * further request (RFC 8489 §9.2.5).
 *
 * @module
 */
import { decodeStun, isStun, StunClass, type StunMessage, type TransportAddress } from '../stun/index.js';
import {
  MAX_NONCE_RETRIES,
  refreshDelayMs,
  type Context,
  type TurnClientEvent,
  type TurnClientOptions,
  type TurnClientState,
} from './client-types.js';
import { LongTermAuth } from './auth.js';
import { decodeChannelData, encodeChannelData, isChannelData } from './channel-data.js';
import { CHANNEL_LIFETIME_MS, PERMISSION_LIFETIME_MS, TurnErrorCode } from './turn-constants.js';
import { TurnError } from './turn-errors.js';
import { peerKey, type PeerAddress } from './peer-address.js';
import { PeerTables, type Permission } from './permissions.js';
import * as req from './turn-requests.js';
import { TransactionTable } from './turn-transactions.js';

export type { TurnClientEvent, TurnClientOptions, TurnClientState } from './client-types.js';

/** One TURN allocation. */
export class TurnClient {
  readonly #options: TurnClientOptions;
  readonly #auth: LongTermAuth;
  readonly #transactions: TransactionTable<Context & { retries: number }>;
  readonly #tables: PeerTables;
  readonly #transmits: Buffer[] = [];
  readonly #events: TurnClientEvent[] = [];
  #state: TurnClientState = 'idle';
  #refreshAt = Number.POSITIVE_INFINITY;
  #relayed: TransportAddress | undefined;
  /** Outstanding Connect requests, one per peer (RFC 6062 §4.3). */
  readonly #connecting = new Set<string>();

  constructor(options: TurnClientOptions) {
    if (options.relayProtocol === 'tcp' && !options.reliable) {
      throw new TurnError('ERR_TURN_BAD_OPTION', 'a TCP allocation needs a TCP or TLS connection to the server (RFC 6062 §4.1)');
    }
    this.#options = options;
    this.#auth = new LongTermAuth(options.credentials);
    this.#transactions = new TransactionTable(options.reliable, options.retransmit ?? {}, 64);
    this.#tables = new PeerTables(options.maxPermissions ?? 64, options.maxChannels ?? 64, options.maxQueued ?? 16);
  }

  get state(): TurnClientState {
    return this.#state;
  }

  /** The relayed transport address, once allocated. */
  get relayed(): TransportAddress | undefined {
    return this.#relayed;
  }

  /** The HMAC key and the signer for a data connection's ConnectionBind (RFC 6062 §4.3). */
  get auth(): LongTermAuth {
    return this.#auth;
  }

  /** Starts the allocation (RFC 8656 §7.1): the first request goes without credentials. */
  allocate(now: number): void {
    if (this.#state !== 'idle') throw new TurnError('ERR_TURN_BAD_OPTION', `allocate() in state ${this.#state}`);
    this.#state = 'allocating';
    this.#request(now, { kind: 'allocate', retries: 0 });
  }

  /**
   * Sends application data to a peer through the relay (UDP allocations):
   * ChannelData on a bound channel, else a Send indication once the peer's
   * IP has a permission; the first packet to a new IP asks for one
   * (CreatePermission, RFC 8656 §9) and waits for it in a bounded queue.
   * Returns false when the packet was dropped (a warning says why).
   */
  send(now: number, peer: PeerAddress, data: Buffer): boolean {
    if (this.#state !== 'allocated' || this.#options.relayProtocol === 'tcp') {
      this.#warn(new TurnError('ERR_TURN_NO_ALLOCATION', `cannot relay to ${peer.address}:${peer.port} in state ${this.#state}`));
      return false;
    }
    const key = peerKey(peer);
    const channel = this.#tables.channelOf(key);
    const permission = this.#tables.permissions.get(peer.address);
    if (channel?.state === 'bound') {
      channel.lastUsed = now;
      if (permission !== undefined) permission.lastUsed = now;
      this.#transmits.push(encodeChannelData(channel.number, data, this.#options.reliable));
      return true;
    }
    if (permission?.state === 'installed') {
      permission.lastUsed = now;
      this.#transmits.push(req.sendIndication(this.#tid(), peer, data));
      const after = this.#options.channelAfterPackets ?? 4;
      if (channel === undefined && after > 0 && this.#tables.countSend(key) >= after) this.bindChannel(now, peer);
      return true;
    }
    return this.#queue(now, peer, data);
  }

  /** Asks for a permission for a peer IP now (e.g. for a remote candidate, before the peer sends). */
  permit(now: number, ip: string): void {
    if (this.#state !== 'allocated') return;
    const existing = this.#tables.permissions.get(ip);
    if (existing !== undefined) {
      existing.lastUsed = now;
      return;
    }
    this.#newPermission(now, ip);
  }

  /** Binds a channel to a peer (RFC 8656 §12.1); it also installs the permission (§12.2). */
  bindChannel(now: number, peer: PeerAddress): boolean {
    if (this.#state !== 'allocated' || this.#options.relayProtocol === 'tcp') return false;
    const key = peerKey(peer);
    if (this.#tables.channelOf(key) !== undefined) return true;
    const channel = this.#tables.newChannel(key, peer, now);
    if (channel === undefined) {
      this.#warn(new TurnError('ERR_TURN_TOO_MANY', `no channel for ${peer.address}:${peer.port}: ${this.#tables.maxChannels} are bound`));
      return false;
    }
    this.#request(now, { kind: 'channel', key, retries: 0 });
    return true;
  }

  /** RFC 6062 §4.3: asks the server to connect to a peer from the relayed address (a permission first). */
  connect(now: number, peer: PeerAddress): void {
    if (this.#state !== 'allocated' || this.#options.relayProtocol !== 'tcp') {
      this.#events.push({
        type: 'connect-result',
        peer,
        error: new TurnError('ERR_TURN_NO_ALLOCATION', 'connect() needs a TCP allocation'),
      });
      return;
    }
    const key = peerKey(peer);
    if (this.#connecting.has(key)) return; // RFC 6062 §4.3: never two at once for one peer
    this.#connecting.add(key);
    this.permit(now, peer.address);
    this.#request(now, { kind: 'connect', peer, retries: 0 });
  }

  /** Deallocates (RFC 8656 §8: Refresh with LIFETIME 0); `'closed'` follows. */
  close(now: number): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const allocated = this.#state === 'allocated';
    this.#transactions.clear();
    this.#tables.clear();
    this.#refreshAt = Number.POSITIVE_INFINITY;
    if (allocated) {
      this.#state = 'closing';
      this.#request(now, { kind: 'refresh', lifetimeS: 0, retries: 0 });
    } else {
      this.#finish();
    }
  }

  /** Bytes from the server: a STUN message or a ChannelData message. Malformed input is dropped (false). */
  handleMessage(now: number, bytes: Buffer): boolean {
    if (isChannelData(bytes)) return this.#onChannelData(now, bytes);
    if (!isStun(bytes)) return false;
    let message: StunMessage;
    try {
      message = decodeStun(bytes);
    } catch {
      return false;
    }
    if (message.class === StunClass.Indication) return this.#onIndication(now, message);
    if (message.class === StunClass.Request) return false;
    const transaction = this.#transactions.take(message.transactionId.toString('hex'));
    if (transaction === undefined) return false;
    if (message.class === StunClass.SuccessResponse && !this.#auth.verify(message)) {
      // RFC 8489 §9.2.5: a response that fails the integrity check is discarded.
      this.#transactions.add(now, transaction.id, transaction.bytes, transaction.context);
      return false;
    }
    if (message.class === StunClass.SuccessResponse) this.#onSuccess(now, transaction.context, message);
    else this.#onError(now, transaction.context, message);
    return true;
  }

  /** Advances time: retransmissions, timeouts, refreshes. */
  handleTimeout(now: number): void {
    const { resend, expired } = this.#transactions.due(now);
    this.#transmits.push(...resend);
    for (const t of expired) this.#onTimeout(t.context);
    if (this.#state !== 'allocated') return;
    if (now >= this.#refreshAt) {
      this.#refreshAt = Number.POSITIVE_INFINITY;
      this.#request(now, { kind: 'refresh', lifetimeS: this.#options.lifetimeS ?? 600, retries: 0 });
    }
    for (const permission of [...this.#tables.permissions.values()]) {
      if (permission.state !== 'installed' || now < permission.refreshAt) continue;
      if (now - permission.lastUsed >= PERMISSION_LIFETIME_MS) {
        this.#tables.permissions.delete(permission.ip); // unused: let it lapse (RFC 8656 §9)
        continue;
      }
      permission.refreshAt = Number.POSITIVE_INFINITY;
      this.#request(now, { kind: 'permission', ip: permission.ip, retries: 0 });
    }
    for (const channel of [...this.#tables.channels]) {
      if (channel.state !== 'bound' || now < channel.refreshAt) continue;
      const key = peerKey(channel.peer);
      if (now - channel.lastUsed >= CHANNEL_LIFETIME_MS / 2) {
        this.#tables.removeChannel(key);
        continue;
      }
      channel.refreshAt = Number.POSITIVE_INFINITY;
      this.#request(now, { kind: 'channel', key, retries: 0 }); // RFC 8656 §12.1: rebinding refreshes
    }
  }

  /** Bytes to send to the server, oldest first. */
  pollTransmit(): Buffer | undefined {
    return this.#transmits.shift();
  }

  pollEvent(): TurnClientEvent | undefined {
    return this.#events.shift();
  }

  /** When to call {@link handleTimeout} next, or undefined. */
  pollTimeout(): number | undefined {
    let at = this.#transactions.nextAt();
    const consider = (t: number): void => {
      if (Number.isFinite(t) && (at === undefined || t < at)) at = t;
    };
    if (this.#state === 'allocated') {
      consider(this.#refreshAt);
      for (const p of this.#tables.permissions.values()) consider(p.refreshAt);
      for (const c of this.#tables.channels) consider(c.refreshAt);
    }
    return at;
  }

  #tid(): Buffer {
    return Buffer.from(this.#options.random.bytes(12));
  }

  #request(now: number, context: Context & { retries: number }): void {
    if (this.#transactions.size >= this.#transactions.max) {
      this.#warn(new TurnError('ERR_TURN_TOO_MANY', `${this.#transactions.max} requests outstanding: ${context.kind} not sent`));
      this.#onTimeout(context);
      return;
    }
    const tid = this.#tid();
    const bytes = this.#auth.encode(this.#build(tid, context));
    this.#transactions.add(now, tid.toString('hex'), bytes, context);
    this.#transmits.push(bytes);
  }

  #build(tid: Buffer, context: Context): ReturnType<typeof req.allocate> {
    const software = this.#options.software;
    switch (context.kind) {
      case 'allocate':
        return req.allocate(tid, this.#options.relayProtocol ?? 'udp', this.#options.lifetimeS, software);
      case 'refresh':
        return req.refresh(tid, context.lifetimeS, software);
      case 'permission':
        return req.createPermission(tid, { address: context.ip, port: 0 }, software);
      case 'channel': {
        const channel = this.#tables.channelOf(context.key)!;
        return req.channelBind(tid, channel.number, channel.peer, software);
      }
      case 'connect':
        return req.connect(tid, context.peer, software);
    }
  }

  #queue(now: number, peer: PeerAddress, data: Buffer): boolean {
    let permission = this.#tables.permissions.get(peer.address);
    if (permission === undefined) {
      permission = this.#newPermission(now, peer.address);
      if (permission === undefined) return false;
    }
    if (permission.queue.length >= this.#tables.maxQueued) {
      this.#warn(
        new TurnError('ERR_TURN_TOO_MANY', `drops a packet to ${peer.address}: ${this.#tables.maxQueued} wait for its permission`),
      );
      return false;
    }
    permission.queue.push({ peer, data: Buffer.from(data) });
    return true;
  }

  #newPermission(now: number, ip: string): Permission | undefined {
    if (this.#tables.permissions.size >= this.#tables.maxPermissions) {
      this.#warn(new TurnError('ERR_TURN_TOO_MANY', `no permission for ${ip}: ${this.#tables.maxPermissions} exist`));
      return undefined;
    }
    const permission: Permission = { ip, state: 'pending', refreshAt: Number.POSITIVE_INFINITY, lastUsed: now, queue: [] };
    this.#tables.permissions.set(ip, permission);
    this.#request(now, { kind: 'permission', ip, retries: 0 });
    return permission;
  }

  #onSuccess(now: number, context: Context & { retries: number }, message: StunMessage): void {
    switch (context.kind) {
      case 'allocate': {
        const relayed = req.relayedAddress(message);
        if (relayed === undefined) {
          this.#fail(new TurnError('ERR_TURN_REJECTED', 'Allocate success without XOR-RELAYED-ADDRESS'));
          return;
        }
        const lifetimeS = req.lifetime(message) ?? 600;
        this.#state = 'allocated';
        this.#relayed = relayed;
        this.#refreshAt = now + refreshDelayMs(lifetimeS * 1000);
        this.#events.push({ type: 'allocated', relayed, mapped: message.attributes.xorMappedAddress, lifetimeS });
        return;
      }
      case 'refresh': {
        if (this.#state === 'closing') {
          this.#finish();
          return;
        }
        const lifetimeS = req.lifetime(message) ?? context.lifetimeS;
        this.#refreshAt = now + refreshDelayMs(lifetimeS * 1000);
        this.#events.push({ type: 'refreshed', lifetimeS });
        return;
      }
      case 'permission': {
        const permission = this.#tables.permissions.get(context.ip);
        if (permission === undefined) return;
        const first = permission.state === 'pending';
        permission.state = 'installed';
        permission.refreshAt = now + PERMISSION_LIFETIME_MS - 60_000; // RFC 8656 §9: refresh before 300 s
        const queued = permission.queue;
        permission.queue = [];
        if (first) this.#events.push({ type: 'permission', ip: context.ip });
        for (const { peer, data } of queued) this.send(now, peer, data);
        return;
      }
      case 'channel': {
        const channel = this.#tables.channelOf(context.key);
        if (channel === undefined) return;
        const first = channel.state === 'binding';
        channel.state = 'bound';
        channel.refreshAt = now + CHANNEL_LIFETIME_MS - 60_000;
        // RFC 8656 §12.2: the binding installed or refreshed the peer's permission too.
        const permission = this.#tables.permissions.get(channel.peer.address);
        if (permission !== undefined && permission.state === 'installed')
          permission.refreshAt = Math.max(permission.refreshAt, now + PERMISSION_LIFETIME_MS - 60_000);
        if (first) this.#events.push({ type: 'channel', peer: channel.peer, channel: channel.number });
        return;
      }
      case 'connect': {
        this.#connecting.delete(peerKey(context.peer));
        const connectionId = req.connectionId(message);
        if (connectionId === undefined) {
          this.#events.push({
            type: 'connect-result',
            peer: context.peer,
            error: new TurnError('ERR_TURN_REJECTED', 'Connect success without CONNECTION-ID'),
          });
          return;
        }
        this.#events.push({ type: 'connect-result', peer: context.peer, connectionId });
        return;
      }
    }
  }

  #onError(now: number, context: Context & { retries: number }, message: StunMessage): void {
    const code = message.attributes.errorCode?.code ?? 0;
    const reason = message.attributes.errorCode?.reason ?? '';
    const hadCredentials = this.#auth.ready;
    // RFC 8489 §9.2.5: 401 to a request without credentials, 438 Stale Nonce: retry with the new NONCE.
    const retry =
      ((code === TurnErrorCode.Unauthorized && !hadCredentials) || code === TurnErrorCode.StaleNonce) &&
      context.retries < MAX_NONCE_RETRIES &&
      this.#auth.learn(message);
    if (retry) {
      this.#request(now, { ...context, retries: context.retries + 1 });
      return;
    }
    const unauthorized = code === TurnErrorCode.Unauthorized || code === TurnErrorCode.WrongCredentials;
    const error = new TurnError(
      unauthorized ? 'ERR_TURN_UNAUTHORIZED' : 'ERR_TURN_REJECTED',
      `${context.kind} refused: ${code} ${reason}${unauthorized ? ' (wrong username or password?)' : ''}`,
      { stunCode: code },
    );
    this.#requestFailed(context, error);
  }

  #onTimeout(context: Context): void {
    const error = new TurnError('ERR_TURN_TIMEOUT', `${context.kind}: no answer from the TURN server`);
    this.#requestFailed(context, error);
  }

  /** A request got an error response or no answer: what that ends (the same for both). */
  #requestFailed(context: Context, error: TurnError): void {
    switch (context.kind) {
      case 'allocate':
        this.#fail(error);
        return;
      case 'refresh': // an error here may be 437: the allocation is gone (RFC 8656 §8)
        if (this.#state === 'closing') this.#finish();
        else this.#fail(error);
        return;
      case 'permission':
        this.#dropPermission(context.ip, error);
        return;
      case 'channel':
        this.#tables.removeChannel(context.key);
        this.#warn(error);
        return;
      case 'connect':
        this.#connecting.delete(peerKey(context.peer));
        this.#events.push({ type: 'connect-result', peer: context.peer, error });
        return;
    }
  }

  #onIndication(now: number, message: StunMessage): boolean {
    const decoded = req.indication(message);
    if (decoded === undefined) return false;
    if (decoded.type === 'data') {
      const permission = this.#tables.permissions.get(decoded.peer.address);
      if (permission !== undefined) permission.lastUsed = now;
      this.#events.push(decoded);
      return true;
    }
    this.#events.push(decoded);
    return true;
  }

  #onChannelData(now: number, bytes: Buffer): boolean {
    const decoded = decodeChannelData(bytes);
    if (decoded === undefined) return false;
    const channel = this.#tables.channelByNumber(decoded.channel);
    if (channel === undefined) return false; // RFC 8656 §12.6: no binding, discard
    channel.lastUsed = now;
    this.#events.push({ type: 'data', peer: channel.peer, data: decoded.data });
    return true;
  }

  #dropPermission(ip: string, error: TurnError): void {
    const permission = this.#tables.permissions.get(ip);
    this.#tables.permissions.delete(ip);
    this.#warn(
      new TurnError(
        error.code,
        `permission for ${ip}: ${error.message}${permission && permission.queue.length > 0 ? `, ${permission.queue.length} packets dropped` : ''}`,
        { stunCode: error.stunCode },
      ),
    );
  }

  #warn(error: TurnError): void {
    this.#events.push({ type: 'warning', error });
  }

  #fail(error: TurnError): void {
    this.#state = 'failed';
    this.#transactions.clear();
    this.#tables.clear();
    this.#refreshAt = Number.POSITIVE_INFINITY;
    this.#events.push({ type: 'failed', error });
  }

  #finish(): void {
    this.#state = 'closed';
    this.#transactions.clear();
    this.#events.push({ type: 'closed' });
  }
}
