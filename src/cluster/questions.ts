import { randomBytes } from 'node:crypto';

/** What every other node answered, and which nodes did not answer in time (or could not be asked). */
export interface Answers {
  readonly answers: ReadonlyMap<string, unknown>;
  readonly missing: ReadonlyMap<string, string>;
}

interface Waiting {
  readonly expected: Set<string>;
  readonly answers: Map<string, unknown>;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (answers: Answers) => void;
}

/**
 * Questions this node asks the others (who is connected, your stats), and
 * the answers coming back: each question waits for the nodes alive when it
 * was asked, at most `timeoutMs`; a node that does not answer is reported
 * missing, never waited for longer. At most `maxWaiting` questions wait at
 * once: past that a question is answered at once with every node missing.
 */
export class QuestionBook {
  readonly #waiting = new Map<string, Waiting>();

  constructor(
    private readonly timeoutMs: number,
    private readonly maxWaiting: number,
  ) {}

  /** Opens a question to `nodes`; `send` publishes it with the id. Resolves with what came back. */
  ask(nodes: readonly string[], send: (id: string) => boolean): Promise<Answers> {
    if (nodes.length === 0) return Promise.resolve({ answers: new Map(), missing: new Map() });
    if (this.#waiting.size >= this.maxWaiting) return Promise.resolve(allMissing(nodes, 'too many cluster questions waiting'));
    const id = randomBytes(9).toString('base64url');
    if (!send(id)) return Promise.resolve(allMissing(nodes, 'Redis is unavailable'));
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#finish(id), this.timeoutMs);
      this.#waiting.set(id, { expected: new Set(nodes), answers: new Map(), timer, resolve });
    });
  }

  /** An answer arrived (unknown or late ids are ignored). */
  answer(id: string, from: string, answer: unknown): void {
    const waiting = this.#waiting.get(id);
    if (!waiting || !waiting.expected.has(from)) return;
    waiting.answers.set(from, answer);
    if (waiting.answers.size === waiting.expected.size) this.#finish(id);
  }

  #finish(id: string): void {
    const waiting = this.#waiting.get(id);
    if (!waiting) return;
    this.#waiting.delete(id);
    clearTimeout(waiting.timer);
    const missing = new Map<string, string>();
    for (const node of waiting.expected) if (!waiting.answers.has(node)) missing.set(node, 'no answer in time');
    waiting.resolve({ answers: waiting.answers, missing });
  }

  /** Answers every waiting question with what it has (the node is leaving). */
  closeAll(): void {
    for (const id of [...this.#waiting.keys()]) this.#finish(id);
  }
}

function allMissing(nodes: readonly string[], reason: string): Answers {
  return { answers: new Map(), missing: new Map(nodes.map((node) => [node, reason])) };
}
