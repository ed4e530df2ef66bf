// Pure helpers of the 扶贫资产 screens: the distribution's live sum check, the asset form's own
// checks (named like the server's field errors), and the geometry of the offline map (equal
// aspect on lng/lat axes, marker sizes, town areas around their villages, a scale bar).
import type { AssetInput, MapPoint, Proposal } from '../../api/assets'
import { parseYuan, fenToYuanInput } from '../../utils/money'

// ---- 收益分配 ----

export interface EditLine {
  household_id: number
  household_head: string
  share: number
  amount: string
}

/** The proposal as editable lines (yuan text, two decimals). */
export function proposalLines(p: Pick<Proposal, 'lines'>): EditLine[] {
  return (p.lines ?? []).map((l) => ({ household_id: l.household_id, household_head: l.household_head, share: l.share, amount: fenToYuanInput(l.amount_fen) }))
}

export interface SumCheck {
  /** sum of the valid amounts, fen */
  sumFen: number
  /** income − sum: > 0 left to distribute, < 0 over */
  diffFen: number
  /** indexes of lines whose amount is not a yuan amount ≥ 0 with at most two decimals */
  invalid: number[]
  /** indexes of lines with a zero (or empty) amount: they are left out of the distribution */
  zero: number[]
  /** every amount valid and the sum exactly the income */
  ok: boolean
}

/**
 * The live check of the distribution screen: the sum of the lines against the income, in
 * integer fen (never 0.1 + 0.2). Empty or zero amounts count as 0 and are not sent.
 */
export function checkSum(lines: Pick<EditLine, 'amount'>[], incomeFen: number): SumCheck {
  let sum = 0
  const invalid: number[] = []
  const zero: number[] = []
  lines.forEach((l, i) => {
    const s = l.amount.trim()
    if (!s) {
      zero.push(i)
      return
    }
    const f = parseYuan(s)
    if (f === null || f < 0) invalid.push(i)
    else if (f === 0) zero.push(i)
    else sum += f
  })
  const diffFen = incomeFen - sum
  return { sumFen: sum, diffFen, invalid, zero, ok: invalid.length === 0 && diffFen === 0 && lines.length - zero.length > 0 }
}

/** Puts the remainder (income − sum of the others) on line i; the others are kept. */
export function takeRemainder(lines: EditLine[], i: number, incomeFen: number): string {
  const others = checkSum(
    lines.filter((_, j) => j !== i),
    incomeFen,
  )
  return fenToYuanInput(Math.max(0, others.diffFen))
}

/** The lines as the API wants them: positive amounts only, no grouping or ¥. */
export function distributeLines(lines: EditLine[]): { household_id: number; amount_yuan: string }[] {
  return lines
    .map((l) => ({ l, fen: parseYuan(l.amount) }))
    .filter((x) => x.fen !== null && x.fen > 0)
    .map(({ l, fen }) => ({ household_id: l.household_id, amount_yuan: fenToYuanInput(fen) }))
}

/**
 * The server's field errors on a distribution, by line index: "lines[3].household_id" and
 * "lines[3].amount_yuan" and "lines[3]" go to the sent line 3 — which is the edit line whose
 * household it was (zero lines are not sent). "lines" (the sum) is returned as general.
 */
export function lineErrors(fields: Record<string, string>, sent: { household_id: number }[], lines: { household_id: number }[]): { byLine: Record<number, string>; general: string[] } {
  const byLine: Record<number, string> = {}
  const general: string[] = []
  for (const [k, v] of Object.entries(fields)) {
    const m = /^lines\[(\d+)\]/.exec(k)
    if (!m) {
      general.push(v)
      continue
    }
    const hh = sent[Number(m[1])]?.household_id
    const at = hh === undefined ? -1 : lines.findIndex((l) => l.household_id === hh)
    if (at < 0) general.push(v)
    else byLine[at] = byLine[at] ? `${byLine[at]}；${v}` : v
  }
  return { byLine, general }
}

// ---- 登记资产 ----

/** China's box (the server refuses positions outside it). */
export const chinaBox = { latMin: 3.8, latMax: 53.6, lngMin: 73.5, lngMax: 135.1 }

/** The form's own checks before it is sent: i18n keys by the server's field names. */
export function assetErrors(a: AssetInput): Record<string, string> {
  const e: Record<string, string> = {}
  if (!a.project_id) e.project_id = 'assets.err.project'
  if (!a.name.trim()) e.name = 'assets.err.required'
  if (!a.kind) e.kind = 'assets.err.required'
  const v = parseYuan(a.value_yuan)
  if (!a.value_yuan.trim()) e.value_yuan = 'assets.err.required'
  else if (v === null) e.value_yuan = 'assets.err.amountFormat'
  else if (v <= 0) e.value_yuan = 'assets.err.amountPositive'
  if (!a.ownership.trim()) e.ownership = 'assets.err.required'
  if (!a.region_code) e.region_code = 'assets.err.required'
  if (!a.property_reg_no.trim()) e.property_reg_no = 'assets.err.regNo'
  if (!a.custodian.trim()) e.custodian = 'assets.err.required'
  const hasLat = a.lat !== null && a.lat !== undefined
  const hasLng = a.lng !== null && a.lng !== undefined
  if (hasLat !== hasLng) e[hasLat ? 'lng' : 'lat'] = 'assets.err.latLngPair'
  if (hasLat && (a.lat! < chinaBox.latMin || a.lat! > chinaBox.latMax)) e.lat = 'assets.err.outOfChina'
  if (hasLng && (a.lng! < chinaBox.lngMin || a.lng! > chinaBox.lngMax)) e.lng = 'assets.err.outOfChina'
  a.entitled.forEach((x, i) => {
    if (!Number.isInteger(x.share) || x.share < 1) e[`entitled[${i}].share`] = 'assets.err.share'
  })
  return e
}

/** A coordinate typed by hand: a number, or null when empty; NaN when not a number. */
export function parseCoord(s: string): number | null {
  const t = s.trim()
  if (!t) return null
  const n = Number(t)
  return Number.isFinite(n) ? n : NaN
}

// ---- the offline map ----

const rad = Math.PI / 180

export interface Extent {
  lngMin: number
  lngMax: number
  latMin: number
  latMax: number
}

/**
 * Axis ranges that keep the map's aspect in a plot of w × h pixels: one kilometre is as long
 * east–west as north–south (a degree of longitude is cos(lat) of a degree of latitude). The
 * points are centred with a margin; a single point gets a ~10 km window.
 */
export function equalAspect(points: { lat: number; lng: number }[], w: number, h: number, margin = 0.12): Extent {
  if (!points.length || w <= 0 || h <= 0) return { lngMin: 0, lngMax: 1, latMin: 0, latMax: 1 }
  let latMin = Infinity
  let latMax = -Infinity
  let lngMin = Infinity
  let lngMax = -Infinity
  for (const p of points) {
    latMin = Math.min(latMin, p.lat)
    latMax = Math.max(latMax, p.lat)
    lngMin = Math.min(lngMin, p.lng)
    lngMax = Math.max(lngMax, p.lng)
  }
  const lat0 = (latMin + latMax) / 2
  const cos = Math.cos(lat0 * rad)
  // spans in "km-like" units (degrees of latitude), at least ~10 km
  const minSpan = 0.09
  const spanLat = Math.max(latMax - latMin, minSpan) * (1 + 2 * margin)
  const spanLngAsLat = Math.max((lngMax - lngMin) * cos, minSpan) * (1 + 2 * margin)
  // pixels per degree of latitude: the tighter of the two fits
  const k = Math.min(h / spanLat, w / spanLngAsLat)
  const halfLat = h / k / 2
  const halfLng = w / (k * cos) / 2
  const cLat = lat0
  const cLng = (lngMin + lngMax) / 2
  return { lngMin: cLng - halfLng, lngMax: cLng + halfLng, latMin: cLat - halfLat, latMax: cLat + halfLat }
}

/** A marker's diameter in pixels: area proportional to value, between min and max. */
export function markerSize(valueFen: number, maxFen: number, min = 10, max = 42): number {
  if (maxFen <= 0 || valueFen <= 0) return min
  return Math.round(min + (max - min) * Math.sqrt(Math.min(1, valueFen / maxFen)))
}

/** The 9-digit town part of a 12-digit village code, padded back to 12. */
export const townOf = (code: string) => code.slice(0, 9).padEnd(12, '0')

export interface TownArea {
  code: string
  /** lng/lat ring, closed implicitly */
  ring: [number, number][]
  /** where the name goes (the centre of its villages) */
  centre: [number, number]
  villages: number
}

/** Convex hull of [x, y] points (Andrew's monotone chain), counter-clockwise. */
export function convexHull(pts: [number, number][]): [number, number][] {
  const p = [...pts].sort((a, b) => a[0] - b[0] || a[1] - b[1])
  if (p.length < 3) return p
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
  const lower: [number, number][] = []
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop()
    lower.push(q)
  }
  const upper: [number, number][] = []
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i]
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop()
    upper.push(q)
  }
  upper.pop()
  lower.pop()
  return lower.concat(upper)
}

/**
 * Each town's area on the offline map: the hull of its villages grown by bufferKm all round
 * (the hull of a circle around every village), so a town of one village is a disc and the
 * towns read as places on a map, not as loose dots.
 */
export function townAreas(points: Pick<MapPoint, 'region_code' | 'lat' | 'lng'>[], bufferKm = 1.6): TownArea[] {
  const groups = new Map<string, Pick<MapPoint, 'region_code' | 'lat' | 'lng'>[]>()
  for (const p of points) {
    const t = townOf(p.region_code)
    groups.set(t, [...(groups.get(t) ?? []), p])
  }
  const out: TownArea[] = []
  for (const [code, ps] of groups) {
    const lat0 = ps.reduce((s, p) => s + p.lat, 0) / ps.length
    const lng0 = ps.reduce((s, p) => s + p.lng, 0) / ps.length
    const dLat = bufferKm / 111.32
    const dLng = dLat / Math.cos(lat0 * rad)
    const samples: [number, number][] = []
    for (const p of ps) {
      for (let i = 0; i < 24; i++) {
        const a = (i / 24) * 2 * Math.PI
        samples.push([p.lng + dLng * Math.cos(a), p.lat + dLat * Math.sin(a)])
      }
    }
    out.push({ code, ring: convexHull(samples), centre: [lng0, lat0], villages: ps.length })
  }
  return out.sort((a, b) => a.code.localeCompare(b.code))
}

/** A round scale-bar length (km) close to a quarter of the plot's width. */
export function scaleBarKm(kmAcross: number): number {
  const target = kmAcross / 4
  if (!(target > 0)) return 1
  const steps = [0.5, 1, 2, 5, 10, 20, 50, 100, 200]
  let best = steps[0]
  for (const s of steps) if (s <= target) best = s
  return best
}

/** Degrees as a map's edge label: 119.6 → "119.60°E", 34.2 → "34.20°N". */
export function degLabel(v: number, axis: 'lng' | 'lat'): string {
  const hemi = axis === 'lng' ? (v >= 0 ? 'E' : 'W') : v >= 0 ? 'N' : 'S'
  return `${Math.abs(v).toFixed(2)}°${hemi}`
}

/** Share of the income each line gets, 0..1, for the table's bar. */
export const shareOf = (fen: number | null, incomeFen: number) => (fen && incomeFen > 0 ? Math.min(1, fen / incomeFen) : 0)
