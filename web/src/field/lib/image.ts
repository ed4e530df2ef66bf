// Photos are compressed on the phone before they are stored or sent: a 12-megapixel camera
// picture (4-6 MB) becomes a JPEG of at most 1600 px on its long side (≈ 200-400 KB),
// which a village's 3G/4G signal uploads in seconds.

export const maxSide = 1600
export const quality = 0.7
export const thumbSide = 240

// fitWithin scales (w, h) down so the long side is at most max; never up.
export function fitWithin(w: number, h: number, max: number): { width: number; height: number } {
  if (w <= 0 || h <= 0) return { width: 0, height: 0 }
  const s = Math.min(1, max / Math.max(w, h))
  return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) }
}

type Drawable = ImageBitmap | HTMLImageElement

async function decode(file: Blob): Promise<{ img: Drawable; w: number; h: number; close(): void }> {
  if (typeof createImageBitmap === 'function') {
    try {
      // Browsers apply the EXIF orientation (a phone held upright) by default.
      const b = await createImageBitmap(file, { imageOrientation: 'from-image' })
      return { img: b, w: b.width, h: b.height, close: () => b.close() }
    } catch {
      // fall back to <img> (older WebViews)
    }
  }
  const url = URL.createObjectURL(file)
  try {
    const img = new Image()
    img.decoding = 'async'
    img.src = url
    await img.decode()
    return { img, w: img.naturalWidth, h: img.naturalHeight, close: () => URL.revokeObjectURL(url) }
  } catch (e) {
    URL.revokeObjectURL(url)
    throw e
  }
}

function draw(img: Drawable, w: number, h: number, max: number): HTMLCanvasElement {
  const size = fitWithin(w, h, max)
  const c = document.createElement('canvas')
  c.width = size.width
  c.height = size.height
  const ctx = c.getContext('2d')
  if (!ctx) throw new Error('canvas 2d unavailable')
  ctx.fillStyle = '#fff' // a PNG with transparency becomes a white-backed JPEG
  ctx.fillRect(0, 0, size.width, size.height)
  ctx.imageSmoothingQuality = 'high'
  ctx.drawImage(img, 0, 0, size.width, size.height)
  return c
}

function toBlob(c: HTMLCanvasElement, q: number): Promise<Blob> {
  return new Promise((resolve, reject) =>
    c.toBlob((b) => (b ? resolve(b) : reject(new Error('JPEG encoding failed'))), 'image/jpeg', q),
  )
}

export interface Compressed {
  bytes: Uint8Array
  thumb: string
  width: number
  height: number
}

export async function compressPhoto(file: Blob): Promise<Compressed> {
  const d = await decode(file)
  try {
    const big = draw(d.img, d.w, d.h, maxSide)
    const blob = await toBlob(big, quality)
    const small = draw(d.img, d.w, d.h, thumbSide)
    return {
      bytes: new Uint8Array(await blob.arrayBuffer()),
      thumb: small.toDataURL('image/jpeg', 0.6),
      width: big.width,
      height: big.height,
    }
  } finally {
    d.close()
  }
}
