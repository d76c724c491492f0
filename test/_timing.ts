/**
 * Test helper: how a piece of work's time grows with its input. Linear work gives a ratio
 * near `large / small`, quadratic work its square. The two sizes run in turn, `runs` times each
 * after one warm-up, so a busy spell of the machine falls on both; the fastest run of each size
 * counts (the least disturbed by other processes).
 */
export function timeGrowth(
  work: (size: number) => void | Promise<void>,
  sizes: { readonly small: number; readonly large: number; readonly runs?: number },
): Promise<{ readonly ratio: number; readonly smallMs: number; readonly largeMs: number }> {
  return (async () => {
    const once = async (size: number): Promise<number> => {
      const t = performance.now();
      let times = 0;
      do {
        await work(size);
        times++;
      } while (performance.now() - t < 20);
      return (performance.now() - t) / times;
    };
    await work(sizes.small);
    await work(sizes.large);
    let smallMs = Infinity;
    let largeMs = Infinity;
    for (let i = 0; i < (sizes.runs ?? 5); i++) {
      smallMs = Math.min(smallMs, await once(sizes.small));
      largeMs = Math.min(largeMs, await once(sizes.large));
    }
    return { ratio: largeMs / Math.max(smallMs, 0.05), smallMs, largeMs };
  })();
}
