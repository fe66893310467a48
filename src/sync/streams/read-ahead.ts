/**
 * Bounded read-ahead (`docs/architecture.md#long-runs`): Cliniko pages are fetched at most `depth` pages ahead
 * of the page being written, so reads overlap writes and memory stays flat when Tradify is slow.
 *
 * @module
 */

/**
 * Yields the items of `source`, keeping up to `depth` further `next()` calls in flight.
 *
 * @example
 * ```ts
 * for await (const page of readAhead(cliniko.patients.changes({ since }), 2)) await write(page);
 * ```
 */
export async function* readAhead<T>(source: AsyncIterable<T>, depth: number): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  const buffer: Array<Promise<IteratorResult<T>>> = [];
  let finished = false;
  const fill = (): void => {
    while (!finished && buffer.length < depth + 1) {
      const next = iterator.next();
      next.then((r) => {
        if (r.done) finished = true;
      }, () => {
        finished = true;
      });
      buffer.push(next);
    }
  };
  try {
    for (;;) {
      fill();
      const result = await buffer.shift()!;
      if (result.done) return;
      yield result.value;
    }
  } finally {
    // settle whatever is still in flight before closing the source
    await Promise.allSettled(buffer);
    await iterator.return?.();
  }
}
