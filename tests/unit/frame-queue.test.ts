import { FrameQueue } from '../../src/session/frame-queue';

describe('FrameQueue', () => {
  it('counts UTF-8 bytes, not string length', () => {
    const queue = new FrameQueue();
    queue.push('abc');
    queue.push('é€😀'); // 2 + 3 + 4 bytes, 4 UTF-16 units
    expect(queue.length).toBe(2);
    expect(queue.bytes).toBe(3 + 9);
  });

  it('drains oldest first and is empty afterwards', () => {
    const queue = new FrameQueue();
    queue.pushAll(['a', 'bb', 'ccc']);
    expect(queue.drain()).toEqual(['a', 'bb', 'ccc']);
    expect(queue.length).toBe(0);
    expect(queue.bytes).toBe(0);
    expect(queue.drain()).toEqual([]);
  });

  it('puts requeued frames ahead of newer ones, in their order, and counts them', () => {
    const queue = new FrameQueue();
    queue.push('new');
    queue.requeue(['old1', 'old2']);
    expect(queue.length).toBe(3);
    expect(queue.bytes).toBe(11);
    expect(queue.drain()).toEqual(['old1', 'old2', 'new']);
  });

  it('keeps bytes equal to the sum over what a drain returns, whatever the sequence', () => {
    const queue = new FrameQueue();
    const samples = ['x', 'ü', '', '€€', '😀', '~m~3~m~abc'];
    for (let step = 0; step < 200; step++) {
      const frame = samples[step % samples.length];
      if (step % 7 === 3) queue.requeue([frame, frame]);
      else if (step % 11 === 5) queue.clear();
      else queue.push(frame);
      const expected = queue.bytes;
      const length = queue.length;
      const drained = queue.drain();
      expect(drained).toHaveLength(length);
      expect(drained.reduce((sum, item) => sum + Buffer.byteLength(item), 0)).toBe(expected);
      queue.requeue(drained); // put everything back: the counts must come back with it
      expect(queue.bytes).toBe(expected);
      expect(queue.length).toBe(length);
    }
  });

  it('does not share its array with what drain returned', () => {
    const queue = new FrameQueue();
    queue.push('a');
    const drained = queue.drain();
    queue.push('b');
    expect(drained).toEqual(['a']);
    queue.requeue(drained);
    drained.push('mutated');
    expect(queue.drain()).toEqual(['a', 'b']);
  });
});
