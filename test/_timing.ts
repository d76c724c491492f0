/**
 * Test helper: how a piece of work's time grows with its input. Linear work gives a ratio
 * near `large / small`, quadratic work its square. Each size runs `runs` times after one
 * warm-up, and the fastest run counts (the least disturbed by other processes).
 */
export function timeGrowth(
  work: (size: number) => void | Promise<void>,
  sizes: { readonly small: number; readonly large: number; readonly runs?: number },
): Promise<{ readonly ratio: number; readonly smallMs: number; readonly largeMs: number }> {
  return (async () => {
    const best = async (size: number): Promise<number> => {
      let fastest = Infinity;
      for (let i = 0; i < (sizes.runs ?? 3); i++) {
        const t = performance.now();
        let times = 0;
        do {
          await work(size);
          times++;
        } while (performance.now() - t < 20);
        fastest = Math.min(fastest, (performance.now() - t) / times);
      }
      return fastest;
    };
    await work(sizes.small);
    const smallMs = await best(sizes.small);
    const largeMs = await best(sizes.large);
    return { ratio: largeMs / Math.max(smallMs, 0.05), smallMs, largeMs };
  })();
}
