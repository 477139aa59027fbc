/**
 * A sandbox per test, cleaned up after it: the fake controllers a test started (`stops`)
 * are stopped, then every sandbox it made is removed. Call once at the top of a test file:
 *
 *   const perTest = sandboxPerTest();
 *   it('...', async () => { const s = await perTest.create({ api: true }); perTest.stops.push(...); });
 */
import { afterEach } from 'vitest';
import { createSandbox, type Sandbox } from './sandbox.mjs';

export type { Sandbox };

export function sandboxPerTest() {
  const made: Sandbox[] = [];
  const stops: (() => void)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    for (const s of made.splice(0)) await s.cleanup();
  });
  return {
    /** createSandbox, removed after the test. */
    async create(...args: Parameters<typeof createSandbox>): Promise<Sandbox> {
      const s = await createSandbox(...args);
      made.push(s);
      return s;
    },
    /** Stop functions (fake controllers) to run after the test, before the sandboxes go. */
    stops,
  };
}
