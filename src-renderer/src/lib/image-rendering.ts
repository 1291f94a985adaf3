/**
 * Small images (a 28 px digit, served enlarged) stay pixel-sharp; a photograph shrunk to
 * fit its box is drawn smoothly instead of nearest-neighbour. The image's load handler.
 */
export function smoothWhenShrunk(event: Event): void {
  const img = event.currentTarget;
  if (!(img instanceof HTMLImageElement)) return;
  img.style.imageRendering = img.naturalWidth > img.clientWidth ? 'auto' : 'pixelated';
}
