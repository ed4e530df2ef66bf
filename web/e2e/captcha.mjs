// Reads the server's arithmetic captcha (internal/selfquery/captcha.go) the way a test may:
// from the SVG alone, with no hook in the production code. Each character is one <path> with
// stroke-linecap="round" (the noise has none), drawn from a glyph of strokes on a 10×16 grid;
// its count of M (strokes) and L (further points) commands names the glyph, and where two
// glyphs share a count (3/5, 6/9, +/x/=) the points' positions relative to the glyph's box
// tell them apart. An answer the server accepts proves the decoding (selfCheck).
import assert from 'node:assert/strict'

// The glyphs of captcha.go, stroke by stroke.
const glyphs = {
  0: [[[2, 0], [8, 0], [10, 3], [10, 13], [8, 16], [2, 16], [0, 13], [0, 3], [2, 0]]],
  1: [[[2, 4], [6, 0], [6, 16]], [[2, 16], [10, 16]]],
  2: [[[0, 3], [3, 0], [8, 0], [10, 3], [10, 6], [0, 16], [10, 16]]],
  3: [[[0, 1], [10, 1], [5, 7], [9, 9], [10, 12], [8, 16], [2, 16], [0, 14]]],
  4: [[[7, 16], [7, 0], [0, 11], [10, 11]]],
  5: [[[10, 0], [1, 0], [0, 7], [7, 6], [10, 9], [10, 13], [7, 16], [0, 16]]],
  6: [[[9, 0], [4, 0], [0, 6], [0, 13], [3, 16], [8, 16], [10, 13], [10, 9], [7, 7], [3, 7], [0, 10]]],
  7: [[[0, 0], [10, 0], [4, 16]]],
  8: [[[5, 7], [1, 5], [1, 2], [3, 0], [7, 0], [9, 2], [9, 5], [5, 7], [0, 10], [0, 14], [2, 16], [8, 16], [10, 14], [10, 10], [5, 7]]],
  9: [[[10, 6], [7, 9], [2, 9], [0, 6], [0, 3], [2, 0], [8, 0], [10, 3], [10, 10], [6, 16], [1, 16]]],
  '+': [[[5, 3], [5, 13]], [[0, 8], [10, 8]]],
  '-': [[[0, 8], [10, 8]]],
  x: [[[1, 4], [9, 12]], [[9, 4], [1, 12]]],
  '=': [[[0, 5], [10, 5]], [[0, 11], [10, 11]]],
  '?': [[[1, 3], [3, 0], [8, 0], [10, 3], [10, 5], [5, 9], [5, 11]], [[5, 14], [5, 16]]],
}

const signature = (strokes) => `${strokes.length}M${strokes.reduce((n, s) => n + s.length - 1, 0)}L`

// Points scaled into the glyph's box (0..1 both ways; a flat box keeps its scale).
function normalise(strokes) {
  const pts = strokes.flat()
  const xs = pts.map((p) => p[0])
  const ys = pts.map((p) => p[1])
  const [x0, y0] = [Math.min(...xs), Math.min(...ys)]
  const w = Math.max(Math.max(...xs) - x0, 1e-6)
  const h = Math.max(Math.max(...ys) - y0, 1e-6)
  return pts.map(([x, y]) => [(x - x0) / w, (y - y0) / h])
}

const bySignature = new Map()
for (const [ch, strokes] of Object.entries(glyphs)) {
  const sig = signature(strokes)
  if (!bySignature.has(sig)) bySignature.set(sig, [])
  bySignature.get(sig).push({ ch, points: normalise(strokes) })
}

// The strokes of one glyph path: "M x y L x y … M x y L …".
function parsePath(d) {
  const strokes = []
  for (const m of d.matchAll(/([ML])\s*(-?[\d.]+)[\s,]+(-?[\d.]+)/g)) {
    const p = [Number(m[2]), Number(m[3])]
    if (m[1] === 'M') strokes.push([p])
    else strokes[strokes.length - 1].push(p)
  }
  return strokes
}

// The character drawn by one glyph path.
export function readGlyph(d) {
  const strokes = parsePath(d)
  const candidates = bySignature.get(signature(strokes))
  if (!candidates) throw new Error(`no glyph has the signature ${signature(strokes)}`)
  if (candidates.length === 1) return candidates[0].ch
  const seen = normalise(strokes)
  let best = null
  for (const c of candidates) {
    const dist = c.points.reduce((s, p, i) => s + (p[0] - seen[i][0]) ** 2 + (p[1] - seen[i][1]) ** 2, 0)
    if (!best || dist < best.dist) best = { ch: c.ch, dist }
  }
  return best.ch
}

// The question drawn in an SVG, like "7+5=?".
export function readQuestion(svg) {
  const paths = [...svg.matchAll(/<path\b[^>]*>/g)].map((m) => m[0]).filter((tag) => tag.includes('stroke-linecap="round"'))
  return paths.map((tag) => readGlyph(/\sd="([^"]*)"/.exec(tag)[1])).join('')
}

// A valid ID number from its first 17 digits (GB 11643 check character, ISO 7064 MOD 11-2).
export function checkDigitId(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * weights[i]
  return first17 + '10X98765432'[sum % 11]
}

// The answer to a captcha as GET /api/v1/public/captcha returns it.
export function solve(captcha) {
  const prefix = 'data:image/svg+xml;base64,'
  assert.ok(captcha.image.startsWith(prefix), 'the captcha is a base64 SVG data URL')
  const q = readQuestion(Buffer.from(captcha.image.slice(prefix.length), 'base64').toString('utf8'))
  const m = /^(\d+)([+\-x])(\d+)=\?$/.exec(q)
  assert.ok(m, `the question reads as arithmetic: ${q}`)
  const [a, b] = [Number(m[1]), Number(m[3])]
  return { question: q, answer: String(m[2] === '+' ? a + b : m[2] === '-' ? a - b : a * b) }
}

export async function fetchCaptcha(base) {
  const r = await fetch(base + '/api/v1/public/captcha')
  assert.equal(r.status, 200)
  return r.json()
}

// Proves the decoder on n fresh captchas: each answer goes to the server with a pair that
// matches nobody, and the server must accept the captcha (found: false, not "wrong answer").
// Every attempt counts against the client's hourly limit (selfquery.ClientPerHour).
export async function selfCheck(base, n) {
  const questions = []
  for (let i = 0; i < n; i++) {
    const c = await fetchCaptcha(base)
    const { question, answer } = solve(c)
    const res = await fetch(base + '/api/v1/public/household-query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id_number: checkDigitId(`11010519700101${String(100 + i).padStart(3, '0')}`), name: '自检', captcha_token: c.token, captcha_answer: answer }),
    })
    const body = await res.json()
    assert.equal(res.status, 200, `captcha ${question} = ${answer} refused: ${JSON.stringify(body)}`)
    assert.deepEqual(body, { found: false })
    questions.push(question)
  }
  return questions
}
