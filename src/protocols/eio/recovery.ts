import { randomBytes } from 'node:crypto';
import type { HubNamespace } from '../../hub/hub-namespace';
import type { WaitingMember } from '../../hub/local-namespace';
import type { RemoteRecoveryAnswer } from '../../cluster/redis-cluster';
import type { BroadcastEncodings, PacketEncoder } from '../../hub/packet';
import type { Logger } from '../../logger';
import type { ResolvedRecoverySettings } from '../../settings';
import type { EnginePacket } from './engine-codec';

/**
 * Connection state recovery for v4 clients (socket.io 4.6's
 * `connectionStateRecovery`). With it on, every EVENT without an ack carries
 * one more argument, its offset; the client keeps the last one it heard and,
 * after a drop, sends it back in its CONNECT with the private id (`pid`)
 * the first CONNECT answer gave it. A connection that dropped stays behind
 * as a DroppedConnection: in its rooms, collecting every broadcast it
 * misses, for `maxDisconnection`. Each connection also keeps a log of what
 * it was sent recently, so packets lost in flight (written, never read)
 * come back too: everything after the client's offset is sent again.
 */

/** Engine packets as one EVENT went out, and the offset the client will report back for it. */
export interface StampedPackets {
  readonly offset: string;
  readonly packets: EnginePacket[];
}

/** Offsets need only be unique within one connection's history; the prefix keeps those of two nodes apart. */
const OFFSET_PREFIX = randomBytes(3).toString('base64url');
let offsetCount = 0;

export function nextOffset(): string {
  offsetCount = (offsetCount + 1) % Number.MAX_SAFE_INTEGER;
  return OFFSET_PREFIX + offsetCount.toString(36);
}

/** The last `capacity` packets a connection was sent, oldest first; a ring, so a busy connection costs no copying. */
export class SentLog {
  readonly #entries: StampedPackets[] = [];
  #start = 0;

  constructor(private readonly capacity: number) {}

  push(entry: StampedPackets): void {
    if (this.#entries.length < this.capacity) {
      this.#entries.push(entry);
      return;
    }
    this.#entries[this.#start] = entry;
    this.#start = (this.#start + 1) % this.capacity;
  }

  /** The entries sent after `offset`, oldest first; null when `offset` is not (or no longer) in the log. */
  after(offset: string): StampedPackets[] | null {
    const count = this.#entries.length;
    for (let back = 0; back < count; back++) {
      const index = (this.#start + count - 1 - back) % count;
      if (this.#entries[index].offset !== offset) continue;
      const later: StampedPackets[] = [];
      for (let next = 1; next <= back; next++) later.push(this.#entries[(index + next) % count]);
      return later;
    }
    return null;
  }
}

/** A recovery from another node as the connection coming back here takes it: RemoteRecoveryAnswer with its state checked. */
export type RemoteRecovery = Omit<RemoteRecoveryAnswer, 'state'> & { readonly state: RecoveredState | null };

/** What a dropped connection hands to the connection that recovers it. */
export interface RecoveredState {
  readonly id: string;
  /** Every packet the client did not get, in the order it was sent. */
  readonly missed: StampedPackets[];
  /** Rooms to join again: those of a connection that dropped on another node (on this one its rooms never left). */
  readonly rooms: readonly string[];
}

/**
 * The other nodes of a cluster, as recovery needs them: a client may come
 * back to any node, and the node it dropped from hands its state over.
 */
export interface RecoveryPeers {
  /** Asks the node owning `pid` for its dropped connection's state; null when no other live node owns it. */
  takeRecovery(namespace: string, pid: string, offset: string, maxMissed: number): Promise<RemoteRecoveryAnswer> | null;
  /** How this node answers that question for its own dropped connections. */
  handOverRecoveryWith(handOver: (namespace: string, pid: string, offset: string) => unknown): void;
}

function isStampedPackets(value: unknown): value is StampedPackets {
  if (typeof value !== 'object' || value === null) return false;
  const { offset, packets } = value as Record<string, unknown>;
  return (
    typeof offset === 'string' &&
    Array.isArray(packets) &&
    packets.every((packet: unknown) => {
      const { type, data } = (packet ?? {}) as Record<string, unknown>;
      return type === 'message' && (typeof data === 'string' || Buffer.isBuffer(data));
    })
  );
}

/** Another node's hand-over, checked before use: it came over Redis. */
function recoveredStateOf(answer: unknown): RecoveredState | null {
  if (typeof answer !== 'object' || answer === null) return null;
  const { id, rooms, missed } = answer as Record<string, unknown>;
  if (typeof id !== 'string' || !Array.isArray(rooms) || !rooms.every((room) => typeof room === 'string')) return null;
  if (!Array.isArray(missed) || !missed.every(isStampedPackets)) return null;
  return { id, rooms: rooms as string[], missed: missed as StampedPackets[] };
}

/** A connection that dropped: it keeps its rooms (in the adapter, under its id) and collects what it misses. */
class DroppedConnection implements WaitingMember {
  readonly missed: StampedPackets[] = [];
  overflowed = false;
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly pid: string,
    readonly id: string,
    readonly space: HubNamespace,
    readonly sent: SentLog,
    private readonly stamper: PacketEncoder<StampedPackets>,
    private readonly maxMissed: number,
  ) {}

  receiveBroadcast(encodings: BroadcastEncodings): void {
    if (this.overflowed) return;
    const stamped = encodings.encodedBy(this.stamper);
    // Past the bound the connection cannot be made whole: it will start afresh, so stop collecting.
    if (this.missed.length >= this.maxMissed) {
      this.overflowed = true;
      this.missed.length = 0;
      return;
    }
    this.missed.push(stamped);
  }
}

/** What a connection that dropped leaves behind. */
export interface DroppedState {
  readonly pid: string;
  readonly id: string;
  readonly space: HubNamespace;
  readonly rooms: readonly string[];
  readonly sent: SentLog;
  /** The namespace's broadcast encoder that stamps offsets (shared with the live connections, so each broadcast is encoded once). */
  readonly stamper: PacketEncoder<StampedPackets>;
}

/** The dropped connections of one router, by private id, each for `maxDisconnection` at most. */
export class RecoveryStore {
  readonly #dropped = new Map<string, DroppedConnection>();
  #closed = false;

  constructor(
    readonly settings: ResolvedRecoverySettings,
    private readonly logger: Logger,
    private readonly peers: RecoveryPeers | null,
  ) {
    peers?.handOverRecoveryWith((namespace, pid, offset) => this.#handOver(namespace, pid, offset));
  }

  keep(state: DroppedState): void {
    if (this.#closed) return;
    const dropped = new DroppedConnection(state.pid, state.id, state.space, state.sent, state.stamper, this.settings.maxMissed);
    // The connection has just left its rooms as every closing one does; its id goes back into them until it returns or expires.
    state.space.adapter.addAll(state.id, state.rooms);
    state.space.local.wait(state.id, dropped);
    dropped.timer = setTimeout(() => this.#forget(dropped, 'its maxDisconnection passed'), this.settings.ms.maxDisconnection);
    dropped.timer.unref();
    this.#dropped.set(state.pid, dropped);
  }

  /**
   * The state of a dropped connection, for a client that came back within
   * `maxDisconnection` with its private id and last offset; null (and the
   * client starts afresh) when the id is unknown or expired, names another
   * namespace, the offset is no longer known or too much was missed.
   */
  take(pid: string, offset: string, namespace: string): RecoveredState | null {
    const dropped = this.#dropped.get(pid);
    if (!dropped || dropped.space.name !== namespace) return null;
    const inFlight = dropped.sent.after(offset);
    if (inFlight === null || dropped.overflowed) {
      this.#forget(dropped, inFlight === null ? `offset ${offset.slice(0, 40)} is not in its log` : 'it missed more than maxMissed packets');
      return null;
    }
    this.#release(dropped);
    return { id: dropped.id, missed: inFlight.concat(dropped.missed), rooms: [] };
  }

  /**
   * A client that dropped from another node came back here: that node hands
   * its state over (null when it has none, does not answer in time, or there
   * is no such node). Null at once when no other node can own `pid`.
   */
  takeRemote(pid: string, offset: string, namespace: string): Promise<RemoteRecovery> | null {
    const asked = this.peers?.takeRecovery(namespace, pid, offset, this.settings.maxMissed);
    if (!asked) return null;
    return asked.then(
      (answer) => ({ state: recoveredStateOf(answer.state), lateBroadcasts: answer.lateBroadcasts }),
      (error: unknown) => {
        this.logger.warn(`[recovery] asking for ${pid.slice(0, 40)} failed: ${String(error)}`);
        return { state: null, lateBroadcasts: () => [] };
      },
    );
  }

  /** Another node asks for one of ours: its state leaves with it, rooms and all. */
  #handOver(namespace: string, pid: string, offset: string): RecoveredState | null {
    const dropped = this.#dropped.get(pid);
    if (!dropped) return null;
    const state = this.take(pid, offset, namespace);
    if (!state) return null;
    const rooms = [...(dropped.space.adapter.socketRooms(state.id) ?? [])].filter((room) => room !== state.id);
    if (!dropped.space.local.has(state.id)) dropped.space.adapter.delAll(state.id);
    return { ...state, rooms };
  }

  #release(dropped: DroppedConnection): void {
    if (dropped.timer) clearTimeout(dropped.timer);
    this.#dropped.delete(dropped.pid);
    dropped.space.local.stopWaiting(dropped.id, dropped);
  }

  /** Not coming back: out of its rooms (unless a live connection has taken its id meanwhile). */
  #forget(dropped: DroppedConnection, why: string): void {
    this.#release(dropped);
    if (!dropped.space.local.has(dropped.id)) dropped.space.adapter.delAll(dropped.id);
    this.logger.debug(`[socket ${dropped.id}] not recoverable any more: ${why}`);
  }

  /** The router closes: nothing waits any more. */
  close(): void {
    this.#closed = true;
    for (const dropped of [...this.#dropped.values()]) this.#forget(dropped, 'the router closed');
  }
}
