/**
 * execa, as a bundle of its own (dist/tools.cjs, with its own V8 code cache): the first
 * thing a command that runs `microk8s` or `helm` needs, loaded in a few milliseconds so the
 * program starts while the much larger ./vendor.ts (client-node's KubeConfig) loads beside
 * it. Load it with loadTools(), never with a static import.
 */
export { execa } from 'execa';
