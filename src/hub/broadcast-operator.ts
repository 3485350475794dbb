import type { ConnectionSummary } from './adapter';
import type { HubNamespace } from './hub-namespace';

const NO_ROOMS: ReadonlySet<string> = new Set();

function withRooms(set: ReadonlySet<string>, rooms: string | readonly string[]): ReadonlySet<string> {
  const next = new Set(set);
  if (typeof rooms === 'string') next.add(rooms);
  else for (const room of rooms) next.add(room);
  return next;
}

/**
 * A selection of a namespace's connections — `to(room)`, `except(room)`,
 * chained — and what can be done to all of them at once (Socket.IO v4's
 * BroadcastOperator). Immutable: every `to`/`except` returns a new operator,
 * so one can be kept and reused.
 */
export class BroadcastOperator {
  constructor(
    private readonly space: HubNamespace,
    private readonly rooms: ReadonlySet<string> = NO_ROOMS,
    private readonly exceptRooms: ReadonlySet<string> = NO_ROOMS,
  ) {}

  /** Narrows to members of `room` (several `to`s add up: members of any of them). */
  to(room: string | readonly string[]): BroadcastOperator {
    return new BroadcastOperator(this.space, withRooms(this.rooms, room), this.exceptRooms);
  }

  /** The same as `to`. */
  in(room: string | readonly string[]): BroadcastOperator {
    return this.to(room);
  }

  /** Leaves out members of `room` (a connection id leaves out that connection). */
  except(room: string | readonly string[]): BroadcastOperator {
    return new BroadcastOperator(this.space, this.rooms, withRooms(this.exceptRooms, room));
  }

  /** Sends an event to every selected connection (on a 0.6 client: the JSON message `{name, args}`). */
  emit(event: string, ...args: unknown[]): true {
    this.space.broadcast({ type: 'event', name: event, args }, this.#options());
    return true;
  }

  /** Sends a message to every selected connection, as each one's `send` would. */
  send(message: unknown): this {
    this.space.broadcast({ type: 'message', data: message }, this.#options());
    return this;
  }

  /** The same as `send` (Socket.IO's name). */
  write(message: unknown): this {
    return this.send(message);
  }

  /** Makes every selected connection join `rooms`. */
  socketsJoin(rooms: string | readonly string[]): void {
    this.space.adapter.addSockets(this.#options(), typeof rooms === 'string' ? [rooms] : rooms);
  }

  /** Makes every selected connection leave `rooms`. */
  socketsLeave(rooms: string | readonly string[]): void {
    this.space.adapter.delSockets(this.#options(), typeof rooms === 'string' ? [rooms] : rooms);
  }

  /** Ends every selected connection from the server side. */
  disconnectSockets(): void {
    this.space.adapter.disconnectSockets(this.#options());
  }

  /** Describes every selected connection: plain objects, the same shape on every node. */
  fetchConnections(): Promise<ConnectionSummary[]> {
    return this.space.adapter.fetchSockets(this.#options());
  }

  #options(): { rooms: ReadonlySet<string>; except: ReadonlySet<string> } {
    return { rooms: this.rooms, except: this.exceptRooms };
  }
}
