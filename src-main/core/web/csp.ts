/**
 * The renderer's Content-Security-Policy, the same under both carriers (browser mode's
 * server and Electron's app:// handler and session). Scripts and images from the app's
 * own origin only (images are served by id from /image/), plus data: images: the Image
 * view's corrupted copies are made per request and answered inline by image.shift (an
 * image cannot run script); inline styles are allowed for Svelte's style: directives,
 * never inline script.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
