/**
 * Files the UI produces reach the person through the browser's own download (Blob + object URL),
 * in browser mode and under Electron alike: nothing lands in a folder on the machine that runs the
 * engine unless the person saves it there. Works within a 'self'-only CSP.
 */
export function downloadBlob(filename: string, data: BlobPart | BlobPart[], type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob(Array.isArray(data) ? data : [data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Electron's save dialog reads the blob after the click returns: keep the URL a while, then free it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `sockscope-l1.c2-in-20261201-195700.bin`: a conversation's file name, safe on every OS. */
export function fileName(conversationId: string, what: string, ext: string, at = Date.now()): string {
  const d = new Date(at);
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return `sockscope-${conversationId}-${what}-${stamp}.${ext}`.replace(/[^A-Za-z0-9._-]/g, '_');
}
