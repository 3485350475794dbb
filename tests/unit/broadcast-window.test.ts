import { ClusterAdapter, type ClusterPeers } from '../../src/cluster/cluster-adapter';
import type { ClusterOperation, WireSelection } from '../../src/cluster/wire';
import { LocalNamespace } from '../../src/hub/local-namespace';
import type { OutgoingPacket } from '../../src/hub/packet';

// The recovery window of a cluster adapter (a connection moving here from
// another node): which broadcasts it hands to the connection. The real
// cross-node case, through Redis and nginx, is in cluster-recovery.test.ts.

/** The other nodes as the adapter sees them: publishing counts this node's operations, as RedisCluster does. */
class CountingPeers implements ClusterPeers {
  published = 0;
  publish(_namespace: string, _selection: WireSelection, _operation: ClusterOperation): number {
    return ++this.published;
  }
  fetchRemote(): Promise<never[]> {
    return Promise.resolve([]);
  }
}

const event = (n: number): OutgoingPacket => ({ type: 'event', name: 'n', args: [n] });
const selection = (rooms: string[], except: string[] = []): WireSelection => ({ rooms, except });
const numbers = (packets: OutgoingPacket[] | null) => packets?.map((packet) => (packet.type === 'event' ? packet.args[0] : null)) ?? null;

function setup() {
  const peers = new CountingPeers();
  const adapter = new ClusterAdapter(new LocalNamespace('/'), 'b', peers);
  return { peers, adapter };
}

describe('ClusterAdapter recovery window', () => {
  it("keeps what the old node had not applied when it answered, from this node and from others, in the order applied", () => {
    const { adapter } = setup();
    const window = adapter.openWindow(100);
    adapter.broadcast(event(1), { rooms: new Set(['ticker']), except: new Set() }); // b's seq 1
    adapter.applyRemote(selection(['ticker']), { kind: 'broadcast', packet: event(2) }, 'c', 7);
    adapter.applyRemote(selection(['ticker']), { kind: 'broadcast', packet: event(3) }, 'a', 12);
    adapter.broadcast(event(4), { rooms: new Set(['ticker']), except: new Set() }); // b's seq 2
    adapter.applyRemote(selection(['ticker']), { kind: 'broadcast', packet: event(5) }, 'c', 8);
    // The old node had applied b's first, c's 7 and its own 12 when it answered.
    expect(numbers(window.close('sock', ['ticker'], { a: 12, b: 1, c: 7 }))).toEqual([4, 5]);
  });

  it('keeps only what selects the connection: its rooms or its id, none of its except rooms; every connection when no room is named', () => {
    const { adapter } = setup();
    const window = adapter.openWindow(100);
    const remote = (n: number, rooms: string[], except: string[] = []) =>
      adapter.applyRemote(selection(rooms, except), { kind: 'broadcast', packet: event(n) }, 'c', n);
    remote(1, ['ticker']);
    remote(2, ['elsewhere']);
    remote(3, []);
    remote(4, ['sock']);
    remote(5, ['ticker'], ['sock']);
    remote(6, [], ['ticker']);
    remote(7, ['elsewhere', 'ticker']);
    expect(numbers(window.close('sock', ['ticker'], {}))).toEqual([1, 3, 4, 7]);
  });

  it('records nothing once closed, and other kinds of operation not at all', () => {
    const { adapter } = setup();
    const first = adapter.openWindow(100);
    adapter.applyRemote(selection([]), { kind: 'join', rooms: ['x'] }, 'c', 1);
    expect(first.close('sock', [], {})).toEqual([]);
    const second = adapter.openWindow(100);
    adapter.applyRemote(selection([]), { kind: 'broadcast', packet: event(9) }, 'c', 2);
    expect(numbers(second.close('sock', [], {}))).toEqual([9]);
    // Closed windows keep nothing more: a third sees only its own.
    const third = adapter.openWindow(100);
    expect(third.close('sock', [], {})).toEqual([]);
  });

  it('two windows open at once each record everything', () => {
    const { adapter } = setup();
    const one = adapter.openWindow(100);
    const two = adapter.openWindow(100);
    adapter.applyRemote(selection([]), { kind: 'broadcast', packet: event(1) }, 'c', 1);
    expect(numbers(one.close('x', [], {}))).toEqual([1]);
    adapter.applyRemote(selection([]), { kind: 'broadcast', packet: event(2) }, 'c', 2);
    expect(numbers(two.close('y', [], {}))).toEqual([1, 2]);
  });

  it('more than its limit makes the window answer null: too much missed, the client starts afresh', () => {
    const { adapter } = setup();
    const window = adapter.openWindow(3);
    for (let n = 1; n <= 4; n++) adapter.applyRemote(selection([]), { kind: 'broadcast', packet: event(n) }, 'c', n);
    expect(window.close('sock', [], {})).toBeNull();
    const exact = adapter.openWindow(3);
    for (let n = 5; n <= 7; n++) adapter.applyRemote(selection([]), { kind: 'broadcast', packet: event(n) }, 'c', n);
    expect(numbers(exact.close('sock', [], {}))).toEqual([5, 6, 7]);
  });
});
