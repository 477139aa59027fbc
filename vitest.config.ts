import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Process-level tests spawn the real CLI; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // A test that asserts nothing cannot fail: make that an error.
    expect: { requireAssertions: true },
  },
});
