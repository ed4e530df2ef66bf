import { describe, expect, it } from 'vitest'
import type { VisitDetail, VisitUpload } from '../api/visits'
import {
  conflictRows,
  distanceParts,
  editErrors,
  editFormOf,
  explainSignal,
  filtersFromRoute,
  filtersToQuery,
  filtersToRoute,
  formatCoord,
  haversine,
  parseQuarter,
  patchOf,
  quarterOf,
  quarterRange,
  recentQuarters,
  shiftQuarter,
  sortSignals,
  uploaderName,
  visitDistance,
} from './visits'

const fmt = (m: number) => {
  const p = distanceParts(m)!
  return `${p.n} ${p.unit}`
}

function detail(over: Partial<VisitDetail> = {}): VisitDetail {
  return {
    id: 7,
    client_id: 'abc-12345678',
    household_id: 12,
    visited_at: '2026-11-20T02:30:00Z',
    recorded_at: '2026-11-20T02:41:00Z',
    lat: 33.31,
    lng: 120.15,
    accuracy_m: 12,
    guarantees: { food: 'ok', education: 'na', medical: 'gap', housing: 'ok', water: 'ok' },
    income_fen: 650000,
    needs: '需要就业岗位',
    measures: '联系镇劳务站',
    notes: '',
    confirmed: true,
    confirmed_by: '张三',
    version: 2,
    conflict: true,
    received_at: '2026-11-20T03:00:00Z',
    household: { id: 12, household_no: '1', head_name: '张三', address: '', region_code: '320921100001', region_name: '某村', location: { lat: 33.3, lng: 120.1 } },
    helper: { id: 1, name: '王芳', phone: '', employer: '' },
    uploaded_by: '王芳',
    photos: [
      { sha256: 'b'.repeat(64), taken_at: null, width: 1, height: 1, size: 1, content_type: 'image/jpeg' },
      { sha256: 'a'.repeat(64), taken_at: null, width: 1, height: 1, size: 1, content_type: 'image/jpeg' },
    ],
    signals: [],
    conflicts: [],
    history: [],
    ...over,
  }
}

function upload(v: VisitDetail, over: Partial<VisitUpload> = {}): VisitUpload {
  return {
    client_id: v.client_id,
    household_id: v.household_id,
    base_version: 1,
    visited_at: v.visited_at,
    recorded_at: v.recorded_at,
    lat: v.lat,
    lng: v.lng,
    accuracy_m: v.accuracy_m,
    guarantees: { ...v.guarantees },
    income_fen: v.income_fen,
    needs: v.needs,
    measures: v.measures,
    notes: v.notes,
    confirmed: v.confirmed,
    confirmed_by: v.confirmed_by,
    photos: (v.photos ?? []).map((p) => ({ sha256: p.sha256, taken_at: p.taken_at })),
    ...over,
  }
}

describe('quarters', () => {
  it('takes the quarter on the Shanghai calendar', () => {
    // 2026-09-30 17:00 UTC is already 1 October in Shanghai.
    expect(quarterOf(new Date('2026-09-30T17:00:00Z'))).toBe('2026Q4')
    expect(quarterOf(new Date('2026-09-30T15:59:59Z'))).toBe('2026Q3')
    expect(quarterOf(new Date('2025-12-31T16:00:00Z'))).toBe('2026Q1')
  })
  it('parses, shifts and lists quarters', () => {
    expect(parseQuarter('2026Q4')).toEqual({ year: 2026, n: 4 })
    expect(parseQuarter('2026Q5')).toBeNull()
    expect(parseQuarter('2026q1')).toBeNull()
    expect(shiftQuarter('2026Q1', 1)).toBe('2025Q4')
    expect(shiftQuarter('2026Q4', -1)).toBe('2027Q1')
    expect(shiftQuarter('2026Q2', 5)).toBe('2025Q1')
    expect(recentQuarters(5, new Date('2026-11-24T00:00:00Z'))).toEqual(['2026Q4', '2026Q3', '2026Q2', '2026Q1', '2025Q4'])
  })
  it('gives the first and last day of a quarter', () => {
    expect(quarterRange('2026Q1')).toEqual({ start: '2026-01-01', end: '2026-03-31' })
    expect(quarterRange('2026Q2')).toEqual({ start: '2026-04-01', end: '2026-06-30' })
    expect(quarterRange('2026Q4')).toEqual({ start: '2026-10-01', end: '2026-12-31' })
    expect(quarterRange('x')).toBeNull()
  })
})

describe('distances', () => {
  it('computes great-circle distances', () => {
    expect(haversine(33.3, 120.1, 33.3, 120.1)).toBe(0)
    // one degree of latitude is about 111.2 km
    expect(haversine(33, 120, 34, 120)).toBeGreaterThan(111_100)
    expect(haversine(33, 120, 34, 120)).toBeLessThan(111_300)
    // Beijing – Shanghai is about 1,068 km
    const d = haversine(39.9042, 116.4074, 31.2304, 121.4737)
    expect(d).toBeGreaterThan(1_060_000)
    expect(d).toBeLessThan(1_075_000)
  })
  it('words a distance in metres or kilometres', () => {
    expect(distanceParts(0)).toEqual({ n: '0', unit: 'm' })
    expect(distanceParts(850.4)).toEqual({ n: '850', unit: 'm' })
    expect(distanceParts(999.6)).toEqual({ n: '1', unit: 'km' })
    expect(distanceParts(2040)).toEqual({ n: '2', unit: 'km' })
    expect(distanceParts(2300)).toEqual({ n: '2.3', unit: 'km' })
    expect(distanceParts(123456)).toEqual({ n: '123', unit: 'km' })
    expect(distanceParts(null)).toBeNull()
    expect(distanceParts(-1)).toBeNull()
    expect(distanceParts(Number.NaN)).toBeNull()
  })
  it('prefers the server distance, else computes it', () => {
    expect(visitDistance(detail({ distance_m: 42 }))).toBe(42)
    const d = visitDistance(detail({ distance_m: undefined }))!
    expect(d).toBeCloseTo(haversine(33.31, 120.15, 33.3, 120.1), 6)
    expect(visitDistance(detail({ distance_m: null, lat: null, lng: null }))).toBeNull()
    expect(visitDistance(detail({ distance_m: null, household: { ...detail().household, location: null } }))).toBeNull()
  })
  it('formats coordinates', () => {
    expect(formatCoord(33.3, 120.15)).toBe('33.300000, 120.150000')
    expect(formatCoord(null, 1)).toBe('—')
  })
})

describe('signal explanations', () => {
  const settings = { far_meters: 1000, late_hours: 48, max_kmh: 120 }
  it('says how far and what the limit is', () => {
    expect(explainSignal({ kind: 'far_from_home', value: 2300, detail: '', other_visit_id: null }, settings, fmt)).toEqual({
      key: 'visits.explain.far_from_home',
      params: { d: '2.3 km', limit: '1 km' },
    })
  })
  it('tells identical from near-duplicate photos', () => {
    expect(explainSignal({ kind: 'same_photo', value: 0, detail: '', other_visit_id: 9 }, settings, fmt)).toEqual({
      key: 'visits.explain.same_photo_exact',
      params: { other: 9 },
    })
    expect(explainSignal({ kind: 'same_photo', value: 2, detail: '', other_visit_id: 9 }, settings, fmt).key).toBe('visits.explain.same_photo_near')
  })
  it('rounds hours and speeds and uses the configured limits', () => {
    expect(explainSignal({ kind: 'late_record', value: 73.456, detail: '', other_visit_id: null }, { ...settings, late_hours: 72 }, fmt).params).toEqual({ h: '73.5', limit: 72 })
    expect(explainSignal({ kind: 'late_record', value: 50, detail: '', other_visit_id: null }, settings, fmt).params.h).toBe('50')
    expect(explainSignal({ kind: 'impossible_travel', value: 351.7, detail: '', other_visit_id: 3 }, null, fmt).params).toEqual({ other: 3, v: 352, limit: 120 })
  })
  it('still says something for an unknown kind', () => {
    expect(explainSignal({ kind: 'new_kind', value: 1, detail: '', other_visit_id: null }, settings, fmt).key).toBe('visits.explain.other')
  })
  it('sorts signals in the kinds order', () => {
    expect(sortSignals(['late_record', 'zzz', 'far_from_home'])).toEqual(['far_from_home', 'late_record', 'zzz'])
    expect(sortSignals([{ kind: 'impossible_travel' }, { kind: 'same_photo' }]).map((s) => s.kind)).toEqual(['same_photo', 'impossible_travel'])
    expect(sortSignals(null)).toEqual([])
  })
})

describe('conflictRows', () => {
  it('marks nothing when the phone sent the same content', () => {
    const v = detail()
    const rows = conflictRows(v, upload(v))
    expect(rows.filter((r) => r.differs)).toEqual([])
    expect(rows.map((r) => r.key)).toContain('guarantees.medical')
  })
  it('treats the same instant in another offset and reordered photos as equal', () => {
    const v = detail()
    const p = upload(v, { visited_at: '2026-11-20T10:30:00+08:00', photos: [...upload(v).photos].reverse() })
    expect(conflictRows(v, p).filter((r) => r.differs)).toEqual([])
  })
  it('marks exactly the fields that differ', () => {
    const v = detail()
    const p = upload(v, {
      guarantees: { ...v.guarantees, medical: 'ok' },
      income_fen: 700000,
      needs: '需要就业岗位，希望参加技能培训',
      lat: 33.32,
      photos: [{ sha256: 'a'.repeat(64), taken_at: null }],
    })
    const diff = conflictRows(v, p)
      .filter((r) => r.differs)
      .map((r) => r.key)
    expect(diff).toEqual(['visits.field.position', 'guarantees.medical', 'visits.field.income', 'visits.field.needs', 'visits.field.photos'])
    const g = conflictRows(v, p).find((r) => r.key === 'guarantees.medical')!
    expect([g.server, g.phone]).toEqual(['gap', 'ok'])
  })
  it('compares a missing income or GPS as "none"', () => {
    const v = detail({ income_fen: null, lat: null, lng: null, accuracy_m: null })
    const rows = conflictRows(v, upload(v))
    expect(rows.filter((r) => r.differs)).toEqual([])
    const p = upload(v, { income_fen: 0 })
    expect(conflictRows(v, p).find((r) => r.key === 'visits.field.income')!.differs).toBe(true)
  })
})

describe('review edit', () => {
  it('round-trips the form to a PATCH body in fen', () => {
    const v = detail()
    const f = editFormOf(v)
    expect(f.income).toBe('6500.00')
    f.income = '7,200.5'
    f.needs = '  培训 '
    expect(patchOf(f, v.version)).toEqual({
      version: 2,
      guarantees: v.guarantees,
      income_fen: 720050,
      needs: '培训',
      measures: '联系镇劳务站',
      notes: '',
    })
  })
  it('sends null when income is left empty and copies the guarantees', () => {
    const v = detail({ income_fen: null })
    const f = editFormOf(v)
    expect(f.income).toBe('')
    const p = patchOf(f, 3)
    expect(p.income_fen).toBeNull()
    f.guarantees.food = 'gap'
    expect(v.guarantees.food).toBe('ok')
  })
  it('rejects bad amounts, over-long text and unknown check values', () => {
    const f = editFormOf(detail())
    expect(editErrors(f)).toEqual({})
    expect(editErrors({ ...f, income: '12.345' })).toEqual({ income: 'visits.err.income' })
    expect(editErrors({ ...f, income: '-5' })).toEqual({ income: 'visits.err.income' })
    expect(editErrors({ ...f, notes: 'x'.repeat(2001) })).toEqual({ notes: 'visits.err.tooLong' })
    expect(editErrors({ ...f, guarantees: { ...f.guarantees, water: 'maybe' } })).toEqual({ 'guarantees.water': 'visits.err.guarantee' })
  })
})

describe('list filters', () => {
  const scope = '320921000000'
  it('reads the URL, ignoring what is not valid', () => {
    expect(filtersFromRoute({}, scope)).toEqual({ region: scope, quarter: '', helper_id: null, signal: '', conflict: false })
    expect(filtersFromRoute({ region: '320921100000', quarter: '2026Q3', helper_id: '5', signal: 'same_photo', conflict: '1' }, scope)).toEqual({
      region: '320921100000',
      quarter: '2026Q3',
      helper_id: 5,
      signal: 'same_photo',
      conflict: true,
    })
    expect(filtersFromRoute({ region: 'x', quarter: '2026Q9', helper_id: '-1', signal: 'bogus', conflict: 'yes' }, scope)).toEqual({
      region: scope,
      quarter: '',
      helper_id: null,
      signal: '',
      conflict: false,
    })
  })
  it('writes the URL and the API query', () => {
    const f = { region: scope, quarter: '2026Q4', helper_id: 3, signal: 'any' as const, conflict: true }
    expect(filtersToRoute(f, scope)).toEqual({ quarter: '2026Q4', helper_id: '3', signal: 'any', conflict: '1' })
    expect(filtersToQuery(f)).toEqual({ region: scope, quarter: '2026Q4', helper_id: '3', signal: 'any', conflict: '1' })
    const back = filtersFromRoute(filtersToRoute({ ...f, region: '320921100000' }, scope), scope)
    expect(back).toEqual({ ...f, region: '320921100000' })
  })
})

describe('uploaderName', () => {
  it('copes with a name or a user object', () => {
    expect(uploaderName('王芳')).toBe('王芳')
    expect(uploaderName({ username: 'helper_1', display_name: '王芳' })).toBe('王芳')
    expect(uploaderName({ username: 'helper_1' })).toBe('helper_1')
    expect(uploaderName(null)).toBe('')
  })
})
