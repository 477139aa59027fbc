// chalk's colour detection (its vendored supports-color), swapped in by the build: the real
// one loads node:tty and asks whether fds 1 and 2 are terminals when chalk loads, ~5 ms of
// every start-up. k8s-storage decides colour itself (src/output/log.ts: --no-color, NO_COLOR,
// FORCE_COLOR, whether stderr is a terminal) and styles through a Chalk of its own.
const supportsColor = { stdout: false, stderr: false };
export default supportsColor;
export function createSupportsColor() {
  return false;
}
