// The API server's timestamps (RFC 3339, whole seconds: "2026-12-01T19:04:00Z").
// Controllers stamp every status change, so the text is made once per second.

let second = NaN;
let text = '';

/** Now, as Kubernetes writes it. @returns {string} */
export function timestamp() {
  const s = Math.floor(Date.now() / 1000);
  if (s !== second) {
    second = s;
    text = new Date(s * 1000).toISOString().replace('.000Z', 'Z');
  }
  return text;
}
