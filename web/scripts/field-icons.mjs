// Draws the field app's icons (a sun over a house, on the app's orange) and writes them as
// PNG files: field/public/icons/icon-{192,512}.png. Run once after changing the design:
//   node scripts/field-icons.mjs
// The content stays inside the central 80 % circle, so the 512 icon also serves as maskable.
import { deflateSync } from 'node:zlib'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'field', 'public', 'icons')

const crcTable = new Uint32Array(256).map((_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size)
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0 // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// Shapes in a 512 × 512 design space.
const sun = { x: 256, y: 196, r: 60 }
// the rays above the horizon: the house hides the lower ones
const rays = Array.from({ length: 8 }, (_, k) => (k * Math.PI) / 4).filter((a) => Math.sin(a) < 0.1)
const roof = [
  [256, 232],
  [392, 336],
  [120, 336],
]
const body = { x0: 158, x1: 354, y0: 318, y1: 408 }
const door = { x0: 232, x1: 280, y0: 346, y1: 408 }

function inTriangle(px, py, tri, grow = 0) {
  // inside all three edges (counter-clockwise), each edge pushed out by grow
  for (let i = 0; i < 3; i++) {
    const [ax, ay] = tri[i]
    const [bx, by] = tri[(i + 1) % 3]
    const ex = bx - ax
    const ey = by - ay
    const len = Math.hypot(ex, ey)
    const side = (ex * (py - ay) - ey * (px - ax)) / len
    if (side < -grow) return false
  }
  return true
}
function segDist(px, py, ax, ay, bx, by) {
  const dx = bx - ax
  const dy = by - ay
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
  return Math.hypot(px - ax - t * dx, py - ay - t * dy)
}
function inRect(px, py, r, grow = 0) {
  return px >= r.x0 - grow && px <= r.x1 + grow && py >= r.y0 - grow && py <= r.y1 + grow
}

// 1 = white, 0 = background at a design-space point.
function white(px, py) {
  if (inTriangle(px, py, roof) || inRect(px, py, body)) return !inRect(px, py, door)
  if (inTriangle(px, py, roof, 14) || inRect(px, py, body, 14)) return false // gap around the house
  if (Math.hypot(px - sun.x, py - sun.y) <= sun.r) return true
  for (const a of rays) {
    const c = Math.cos(a)
    const s = Math.sin(a)
    if (segDist(px, py, sun.x + c * 84, sun.y + s * 84, sun.x + c * 112, sun.y + s * 112) <= 9) return true
  }
  return false
}

function render(size) {
  const buf = Buffer.alloc(size * size * 4)
  const ss = 4 // supersampling per axis
  const scale = 512 / size
  const top = [0xf7, 0x67, 0x07]
  const bottom = [0xd9, 0x48, 0x0f]
  for (let y = 0; y < size; y++) {
    const g = y / (size - 1)
    const bg = top.map((c, i) => c + (bottom[i] - c) * g)
    for (let x = 0; x < size; x++) {
      let cover = 0
      for (let j = 0; j < ss; j++)
        for (let i = 0; i < ss; i++) if (white((x + (i + 0.5) / ss) * scale, (y + (j + 0.5) / ss) * scale)) cover++
      const a = cover / (ss * ss)
      const o = (y * size + x) * 4
      for (let k = 0; k < 3; k++) buf[o + k] = Math.round(bg[k] * (1 - a) + 255 * a)
      buf[o + 3] = 255
    }
  }
  return buf
}

mkdirSync(out, { recursive: true })
for (const size of [192, 512]) {
  const file = join(out, `icon-${size}.png`)
  writeFileSync(file, png(size, render(size)))
  console.log(file)
}
