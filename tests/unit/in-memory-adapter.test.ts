import { InMemoryAdapter } from '../../src/hub/in-memory-adapter';
import { LocalNamespace } from '../../src/hub/local-namespace';
import type { Member } from '../../src/hub/member';
import type { BroadcastEncodings } from '../../src/hub/packet';
import { SocketConnection } from '../../src/connection';

/** A member that records the packets it was handed: the adapter only needs ids and delivery. */
function member(id: string, received: string[], closed: string[]): Member {
  return {
    id,
    namespace: '/',
    protocol: '0.6',
    transport: 'websocket',
    connection: null as unknown as SocketConnection,
    receiveBroadcast: (encodings: BroadcastEncodings) => received.push(`${id}:${JSON.stringify(encodings.packet)}`),
    close: () => closed.push(id),
  };
}

const ALL = { rooms: new Set<string>(), except: new Set<string>() };
const rooms = (...names: string[]) => new Set(names);

function setup(ids: string[]) {
  const local = new LocalNamespace('/');
  const adapter = new InMemoryAdapter(local, 'node-a');
  const received: string[] = [];
  const closed: string[] = [];
  for (const id of ids) local.add(member(id, received, closed));
  return { local, adapter, received, closed };
}

describe('InMemoryAdapter', () => {
  it('keeps no room entries for members that joined nothing, yet each id is a room', () => {
    const { adapter } = setup(['a', 'b']);
    expect(adapter.size).toEqual({ rooms: 0, members: 0 });
    expect(adapter.socketRooms('a')).toEqual(rooms('a'));
    expect(adapter.sockets({ rooms: rooms('b'), except: new Set() })).toEqual(rooms('b'));
    expect(adapter.socketRooms('unknown')).toBeUndefined();
  });

  it('selects members of any of the rooms, once each, minus the except rooms', () => {
    const { adapter } = setup(['a', 'b', 'c', 'd']);
    adapter.addAll('a', ['red', 'blue']);
    adapter.addAll('b', ['red']);
    adapter.addAll('c', ['blue', 'green']);
    expect(adapter.sockets({ rooms: rooms('red', 'blue'), except: new Set() })).toEqual(rooms('a', 'b', 'c'));
    expect(adapter.sockets({ rooms: rooms('red', 'blue'), except: rooms('green') })).toEqual(rooms('a', 'b'));
    expect(adapter.sockets({ rooms: new Set(), except: rooms('red') })).toEqual(rooms('c', 'd'));
    expect(adapter.sockets({ rooms: new Set(), except: rooms('a', 'green') })).toEqual(rooms('b', 'd'));
    expect(adapter.socketRooms('a')).toEqual(rooms('a', 'red', 'blue'));
  });

  it('delivers a broadcast to each selected member exactly once', () => {
    const { adapter, received } = setup(['a', 'b', 'c']);
    adapter.addAll('a', ['x', 'y']);
    adapter.addAll('b', ['y']);
    adapter.broadcast({ type: 'message', data: 1 }, { rooms: rooms('x', 'y'), except: new Set() });
    expect(received.sort()).toEqual(['a:{"type":"message","data":1}', 'b:{"type":"message","data":1}']);
    received.length = 0;
    adapter.broadcast({ type: 'event', name: 'e', args: [] }, { rooms: new Set(), except: rooms('b') });
    expect(received.sort()).toEqual(['a:{"type":"event","name":"e","args":[]}', 'c:{"type":"event","name":"e","args":[]}']);
  });

  it('deletes a room with its last member, and every entry once everyone left', () => {
    const { adapter } = setup(['a', 'b']);
    adapter.addAll('a', ['x', 'y']);
    adapter.addAll('b', ['x']);
    adapter.del('a', 'x');
    adapter.del('a', 'a'); // the own room cannot be left
    expect(adapter.socketRooms('a')).toEqual(rooms('a', 'y'));
    expect(adapter.size.rooms).toBe(2);
    adapter.delAll('b');
    expect(adapter.size).toEqual({ rooms: 1, members: 1 });
    adapter.del('a', 'y');
    adapter.delAll('a');
    expect(adapter.size).toEqual({ rooms: 0, members: 0 });
  });

  it('skips ids that are in a room but not (or no longer) live here', () => {
    const { adapter, local, received } = setup(['a']);
    adapter.addAll('ghost', ['x']); // joined during onOpen, never entered
    adapter.addAll('a', ['x']);
    expect(adapter.sockets({ rooms: rooms('x'), except: new Set() })).toEqual(rooms('a'));
    adapter.broadcast({ type: 'message', data: 'hi' }, { rooms: rooms('x'), except: new Set() });
    expect(received).toEqual(['a:{"type":"message","data":"hi"}']);
    expect(local.size).toBe(1);
  });

  it('joins, leaves, disconnects and describes selections in bulk', async () => {
    const { adapter, closed } = setup(['a', 'b', 'c']);
    adapter.addAll('a', ['x']);
    adapter.addSockets({ rooms: rooms('x'), except: new Set() }, ['vip']);
    adapter.addSockets({ rooms: rooms('b'), except: new Set() }, ['vip', 'x']);
    expect(adapter.sockets({ rooms: rooms('vip'), except: new Set() })).toEqual(rooms('a', 'b'));
    adapter.delSockets(ALL, ['x']);
    expect(adapter.sockets({ rooms: rooms('x'), except: new Set() })).toEqual(new Set());
    await expect(adapter.fetchSockets({ rooms: rooms('vip'), except: rooms('b') })).resolves.toEqual([
      { id: 'a', namespace: '/', rooms: ['a', 'vip'], protocol: '0.6', transport: 'websocket', nodeId: 'node-a' },
    ]);
    adapter.disconnectSockets({ rooms: rooms('vip'), except: new Set() });
    expect(closed.sort()).toEqual(['a', 'b']);
  });

  it("keeps a connection in its own room when others join a room named by its id", () => {
    const { adapter } = setup(['a', 'b', 'c']);
    adapter.addAll('b', ['a']);
    expect(adapter.sockets({ rooms: rooms('a'), except: new Set() })).toEqual(rooms('a', 'b'));
    expect(adapter.sockets({ rooms: new Set(), except: rooms('a') })).toEqual(rooms('c'));
    expect(adapter.sockets({ rooms: new Set(), except: rooms('a', 'zzz') })).toEqual(rooms('c'));
  });
});
