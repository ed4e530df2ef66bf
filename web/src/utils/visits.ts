// Pure logic of the visit screens (走访记录/走访详情/走访考核): quarters in Asia/Shanghai,
// distances, the plain-language explanation of each fake-visit signal, the field-by-field
// comparison of a conflict, the review edit form, and list filters ↔ query strings.
import type { Guarantees, GuaranteeName } from '../api/types'
import type { SignalKind, VisitDetail, VisitPatch, VisitSettings, VisitSignal, VisitUpload } from '../api/visits'
import { fenToYuanInput, parseYuan } from './money'

export const signalKinds: SignalKind[] = ['far_from_home', 'same_photo', 'late_record', 'impossible_travel']
export const guaranteeKeys: GuaranteeName[] = ['food', 'education', 'medical', 'housing', 'water']

// ---- quarters ----

// Marked pure so that a bundle taking only a constant from here (the field app's
// guaranteeKeys) leaves the formatter out.
const shanghaiYM = /* @__PURE__ */ new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })

// The quarter ("2026Q4") a moment falls in, on the Shanghai calendar.
export function quarterOf(d: Date = new Date()): string {
  const p: Record<string, string> = {}
  for (const part of shanghaiYM.formatToParts(d)) p[part.type] = part.value
  return `${p.year}Q${Math.floor((Number(p.month) - 1) / 3) + 1}`
}

export function parseQuarter(q: string | null | undefined): { year: number; n: number } | null {
  const m = /^(\d{4})Q([1-4])$/.exec(q ?? '')
  return m ? { year: Number(m[1]), n: Number(m[2]) } : null
}

// The quarter k quarters before q (k may be negative).
export function shiftQuarter(q: string, k: number): string {
  const p = parseQuarter(q)
  if (!p) return q
  const idx = p.year * 4 + (p.n - 1) - k
  return `${Math.floor(idx / 4)}Q${(idx % 4) + 1}`
}

// The current quarter and the n−1 before it, newest first.
export function recentQuarters(n = 8, now: Date = new Date()): string[] {
  const cur = quarterOf(now)
  return Array.from({ length: n }, (_, i) => shiftQuarter(cur, i))
}

// First and last day of a quarter, "YYYY-MM-DD".
export function quarterRange(q: string): { start: string; end: string } | null {
  const p = parseQuarter(q)
  if (!p) return null
  const m0 = (p.n - 1) * 3 + 1
  const last = [31, 30, 30, 31][p.n - 1]
  const mm = (m: number) => String(m).padStart(2, '0')
  return { start: `${p.year}-${mm(m0)}-01`, end: `${p.year}-${mm(m0 + 2)}-${last}` }
}

// ---- distances ----

// Great-circle distance in metres (WGS-84 mean radius), as the server computes distance_m.
export function haversine(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const R = 6371008.8
  const rad = (x: number) => (x * Math.PI) / 180
  const dLat = rad(lat2 - lat1)
  const dLng = rad(lng2 - lng1)
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLng / 2) ** 2
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)))
}

// A distance for people: metres below 1 km ("850"), else km with one decimal ("2.3", "1"
// rather than "1.0"), whole km from 100 km. The caller picks the unit's word ('m' | 'km').
export function distanceParts(m: number | null | undefined): { n: string; unit: 'm' | 'km' } | null {
  if (m === null || m === undefined || !Number.isFinite(m) || m < 0) return null
  if (m < 999.5) return { n: String(Math.round(m)), unit: 'm' }
  const km = m / 1000
  return { n: km >= 99.95 ? String(Math.round(km)) : km.toFixed(1).replace(/\.0$/, ''), unit: 'km' }
}

// The visit's distance from home: the server's, else computed from both positions.
export function visitDistance(v: Pick<VisitDetail, 'lat' | 'lng' | 'distance_m' | 'household'>): number | null {
  if (typeof v.distance_m === 'number' && Number.isFinite(v.distance_m)) return v.distance_m
  const home = v.household?.location
  if (v.lat === null || v.lng === null || v.lat === undefined || v.lng === undefined || !home) return null
  return haversine(v.lat, v.lng, home.lat, home.lng)
}

export function formatCoord(lat: number | null | undefined, lng: number | null | undefined): string {
  if (lat === null || lat === undefined || lng === null || lng === undefined || !Number.isFinite(lat) || !Number.isFinite(lng)) return '—'
  return `${lat.toFixed(6)}, ${lng.toFixed(6)}`
}

// ---- signals ----

export interface Explanation {
  key: string // i18n key under visits.explain
  params: Record<string, string | number>
}

// What a signal means, in words: an i18n key and its parameters. fmtDist turns metres
// into the words of the current language ("2.3 公里").
export function explainSignal(s: VisitSignal, settings: Pick<VisitSettings, 'far_meters' | 'late_hours' | 'max_kmh'> | null, fmtDist: (m: number) => string): Explanation {
  const far = settings?.far_meters || 1000
  const late = settings?.late_hours || 48
  const kmh = settings?.max_kmh || 120
  const other = s.other_visit_id ?? ''
  switch (s.kind) {
    case 'far_from_home':
      return { key: 'visits.explain.far_from_home', params: { d: fmtDist(s.value), limit: fmtDist(far) } }
    case 'same_photo':
      return s.value === 0
        ? { key: 'visits.explain.same_photo_exact', params: { other } }
        : { key: 'visits.explain.same_photo_near', params: { other, n: Math.round(s.value) } }
    case 'late_record':
      return { key: 'visits.explain.late_record', params: { h: roundTo(s.value, 1), limit: late } }
    case 'impossible_travel':
      return { key: 'visits.explain.impossible_travel', params: { other, v: Math.round(s.value), limit: kmh } }
    default:
      return { key: 'visits.explain.other', params: { kind: s.kind, value: roundTo(s.value, 1) } }
  }
}

function roundTo(x: number, digits: number): string {
  if (!Number.isFinite(x)) return '—'
  const f = 10 ** digits
  const r = Math.round(x * f) / f
  return Number.isInteger(r) ? String(r) : r.toFixed(digits)
}

// Signals in a fixed order (the kinds' order), unknown kinds last.
export function sortSignals<T extends string | { kind: string }>(list: T[] | null | undefined): T[] {
  const k = (x: T) => (typeof x === 'string' ? x : x.kind)
  const rank = (x: T) => {
    const i = signalKinds.indexOf(k(x) as SignalKind)
    return i < 0 ? signalKinds.length : i
  }
  return [...(list ?? [])].sort((a, b) => rank(a) - rank(b))
}

// ---- conflicts ----

export type FieldKind = 'time' | 'position' | 'meters' | 'guarantee' | 'money' | 'text' | 'bool' | 'photos'

export interface ConflictRow {
  key: string // i18n key under visits.field, or guarantees.<name>
  kind: FieldKind
  server: unknown
  phone: unknown
  differs: boolean
}

const sameInstant = (a: unknown, b: unknown) => {
  if (!a && !b) return true
  const ta = new Date(String(a)).getTime()
  const tb = new Date(String(b)).getTime()
  return Number.isFinite(ta) && Number.isFinite(tb) ? ta === tb : a === b
}
const nearly = (a: number | null | undefined, b: number | null | undefined, eps: number) =>
  (a === null || a === undefined) && (b === null || b === undefined) ? true : typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= eps
const shas = (list: { sha256: string }[] | null | undefined) => [...(list ?? [])].map((p) => p.sha256).sort()

// The phone's version beside the server's, field by field, with what differs marked.
export function conflictRows(server: VisitDetail, phone: VisitUpload): ConflictRow[] {
  const rows: ConflictRow[] = []
  const add = (key: string, kind: FieldKind, s: unknown, p: unknown, differs: boolean) => rows.push({ key, kind, server: s, phone: p, differs })
  add('visits.field.visited_at', 'time', server.visited_at, phone.visited_at, !sameInstant(server.visited_at, phone.visited_at))
  add('visits.field.recorded_at', 'time', server.recorded_at, phone.recorded_at, !sameInstant(server.recorded_at, phone.recorded_at))
  add(
    'visits.field.position',
    'position',
    { lat: server.lat, lng: server.lng },
    { lat: phone.lat, lng: phone.lng },
    !(nearly(server.lat, phone.lat, 1e-7) && nearly(server.lng, phone.lng, 1e-7)),
  )
  add('visits.field.accuracy_m', 'meters', server.accuracy_m, phone.accuracy_m, !nearly(server.accuracy_m, phone.accuracy_m, 1e-6))
  for (const g of guaranteeKeys) {
    const s = server.guarantees?.[g] ?? ''
    const p = phone.guarantees?.[g] ?? ''
    add('guarantees.' + g, 'guarantee', s, p, s !== p)
  }
  add('visits.field.income', 'money', server.income_fen ?? null, phone.income_fen ?? null, (server.income_fen ?? null) !== (phone.income_fen ?? null))
  for (const k of ['needs', 'measures', 'notes'] as const) {
    const s = server[k] ?? ''
    const p = phone[k] ?? ''
    add('visits.field.' + k, 'text', s, p, s.trim() !== p.trim())
  }
  add('visits.field.confirmed', 'bool', !!server.confirmed, !!phone.confirmed, !!server.confirmed !== !!phone.confirmed)
  add('visits.field.confirmed_by', 'text', server.confirmed_by ?? '', phone.confirmed_by ?? '', (server.confirmed_by ?? '').trim() !== (phone.confirmed_by ?? '').trim())
  const sp = shas(server.photos)
  const pp = shas(phone.photos)
  add('visits.field.photos', 'photos', sp, pp, sp.join() !== pp.join())
  return rows
}

// ---- the review edit (PATCH /visits/{id}) ----

export interface VisitEditForm {
  guarantees: Guarantees
  income: string // yuan as typed; '' = not updated on this visit
  needs: string
  measures: string
  notes: string
}

export const TEXT_MAX = 2000

export function editFormOf(v: VisitDetail): VisitEditForm {
  return {
    guarantees: { ...(v.guarantees ?? { food: 'na', education: 'na', medical: 'na', housing: 'na', water: 'na' }) },
    income: fenToYuanInput(v.income_fen),
    needs: v.needs ?? '',
    measures: v.measures ?? '',
    notes: v.notes ?? '',
  }
}

// Field → i18n key of what is wrong (checked again by the server).
export function editErrors(f: VisitEditForm): Record<string, string> {
  const e: Record<string, string> = {}
  if (f.income.trim() !== '') {
    const fen = parseYuan(f.income)
    if (fen === null || fen < 0) e.income = 'visits.err.income'
  }
  for (const k of ['needs', 'measures', 'notes'] as const) if (f[k].length > TEXT_MAX) e[k] = 'visits.err.tooLong'
  for (const g of guaranteeKeys) if (!['ok', 'gap', 'na'].includes(String(f.guarantees[g]))) e['guarantees.' + g] = 'visits.err.guarantee'
  return e
}

export function patchOf(f: VisitEditForm, version: number): VisitPatch {
  const fen = f.income.trim() === '' ? null : parseYuan(f.income)
  return {
    version,
    guarantees: { ...f.guarantees },
    income_fen: fen,
    needs: f.needs.trim(),
    measures: f.measures.trim(),
    notes: f.notes.trim(),
  }
}

// ---- list filters ----

export interface VisitFilters {
  region: string
  quarter: string // '' = all quarters
  helper_id: number | null
  signal: '' | 'any' | SignalKind
  conflict: boolean
}

const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '')

// The filters from the page URL (the same names as the API); region defaults to scope.
export function filtersFromRoute(q: Record<string, unknown>, scope: string): VisitFilters {
  const signal = str(q.signal)
  const helper = Number(str(q.helper_id))
  const quarter = str(q.quarter)
  return {
    region: /^\d{12}$/.test(str(q.region)) ? str(q.region) : scope,
    quarter: parseQuarter(quarter) ? quarter : '',
    helper_id: Number.isSafeInteger(helper) && helper > 0 ? helper : null,
    signal: signal === 'any' || (signalKinds as string[]).includes(signal) ? (signal as VisitFilters['signal']) : '',
    conflict: str(q.conflict) === '1',
  }
}

// The filters as the page URL keeps them (region left out when it is the user's scope).
export function filtersToRoute(f: VisitFilters, scope: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (f.region && f.region !== scope) out.region = f.region
  if (f.quarter) out.quarter = f.quarter
  if (f.helper_id) out.helper_id = String(f.helper_id)
  if (f.signal) out.signal = f.signal
  if (f.conflict) out.conflict = '1'
  return out
}

export function filtersToQuery(f: VisitFilters): Record<string, string> {
  return { ...filtersToRoute(f, ''), ...(f.region ? { region: f.region } : {}) }
}

// Who uploaded a visit, whatever shape the server gives it in.
export function uploaderName(u: VisitDetail['uploaded_by']): string {
  if (!u) return ''
  if (typeof u === 'string') return u
  return u.display_name || u.username || (u.id ? `#${u.id}` : '')
}
