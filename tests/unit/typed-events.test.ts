import { SocketConnection } from '../../src';

/**
 * Compile-time checks: this file is type-checked by ts-jest, so a wrong
 * event name or argument that compiled would fail the `@ts-expect-error`
 * lines (an unused expectation is itself an error).
 */
interface ClientEvents {
  add(a: number, b: number, ack: (sum: number) => void): void;
  chat(text: string): void;
}
interface ServerEvents {
  news(count: number): void;
  question(text: string, ack: (answer: string) => void): void;
}

class Typed extends SocketConnection<ClientEvents, ServerEvents> {
  wire(): void {
    this.on('add', (a, b, ack) => ack(a + b));
    this.on('chat', (text) => void text.toUpperCase());
    // @ts-expect-error an event the client never sends
    this.on('nope', () => undefined);
    // @ts-expect-error the handler's argument has the wrong type
    this.on('chat', (text: number) => text);
    this.emit('news', 1);
    // @ts-expect-error a string where the event takes a number
    this.emit('news', 'one');
    // @ts-expect-error an event the server does not send
    this.emit('gossip', 1);
    this.emit('question', 'why?', (answer) => void answer.toUpperCase());
    const answer: Promise<string> = this.emitWithAck('question', 'why?');
    void answer;
    // @ts-expect-error emitWithAck takes the arguments without the ack
    void this.emitWithAck('question', 'why?', () => undefined);
    this.timeout(100).emit('question', 'why?', (error, reply) => void (error ?? reply.toUpperCase()));
  }
}

class Untyped extends SocketConnection {
  wire(): void {
    this.on('anything', (a: number, b: string) => a + b.length);
    this.emit('whatever', 1, 'two', { three: 3 });
    void this.emitWithAck('asked', 1);
  }
}

describe('typed events', () => {
  it('compiles the typed and untyped connections above', () => {
    expect(typeof Typed.prototype.wire).toBe('function');
    expect(typeof Untyped.prototype.wire).toBe('function');
  });
});
