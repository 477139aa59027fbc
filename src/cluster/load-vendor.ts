/**
 * Loads ./vendor.ts: from the code-cached second bundle (dist/kube.cjs) in the built CLI,
 * as an ordinary module when src/ runs directly.
 */
export type Vendor = typeof import('./vendor.js');

let vendor: Promise<Vendor> | undefined;

export function loadVendor(): Promise<Vendor> {
  // scripts/build.mjs marks './vendor.js' external and routes it to dist/kube.cjs.
  vendor ??= import('./vendor.js');
  return vendor;
}

export type Tools = typeof import('./tools-vendor.js');

let tools: Promise<Tools> | undefined;

/** execa, from its own small bundle (dist/tools.cjs), so a program starts before client-node loads. */
export function loadTools(): Promise<Tools> {
  // scripts/build.mjs marks './tools-vendor.js' external and routes it to dist/tools.cjs.
  tools ??= import('./tools-vendor.js');
  return tools;
}
