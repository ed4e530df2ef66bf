import { describe, expect, it } from 'vitest'
import type { AssetInput } from '../../api/assets'
import {
  assetErrors,
  checkSum,
  convexHull,
  degLabel,
  distributeLines,
  equalAspect,
  lineErrors,
  markerSize,
  parseCoord,
  proposalLines,
  scaleBarKm,
  takeRemainder,
  townAreas,
  townOf,
} from './assets'

const lines = (...a: string[]) => a.map((amount, i) => ({ household_id: 100 + i, household_head: `户${i}`, share: 1, amount }))

describe('checkSum (收益分配 live check)', () => {
  it('adds in fen, never in floating point', () => {
    const c = checkSum(lines('0.10', '0.20', '999.70'), 100000)
    expect(c.sumFen).toBe(100000)
    expect(c.diffFen).toBe(0)
    expect(c.ok).toBe(true)
  })
  it('reports what is left and what is over', () => {
    expect(checkSum(lines('333.33', '333.33', '333.33'), 100000).diffFen).toBe(1)
    const over = checkSum(lines('500', '500.01'), 100000)
    expect(over.diffFen).toBe(-1)
    expect(over.ok).toBe(false)
  })
  it('flags bad amounts and leaves zero or empty lines out', () => {
    const c = checkSum(lines('1.234', '', '0', '-5', '1,000.00'), 100000)
    expect(c.invalid).toEqual([0, 3])
    expect(c.zero).toEqual([1, 2])
    expect(c.sumFen).toBe(100000)
    expect(c.ok).toBe(false) // invalid lines
    expect(checkSum(lines('', '0'), 0).ok).toBe(false) // nothing to pay
  })
  it('takeRemainder puts exactly what is left on one line', () => {
    const l = lines('333.33', '333.33', '')
    expect(takeRemainder(l, 2, 100000)).toBe('333.34')
    l[2].amount = takeRemainder(l, 2, 100000)
    expect(checkSum(l, 100000).ok).toBe(true)
    // already over: nothing left, not a negative amount
    expect(takeRemainder(lines('900', '200', '5'), 2, 100000)).toBe('0.00')
  })
})

describe('proposal and the lines sent', () => {
  it('starts from the proposal in yuan and sends positive amounts only', () => {
    const ed = proposalLines({ lines: [{ household_id: 7, household_head: '张三', share: 2, amount_fen: 66667 }, { household_id: 8, household_head: '李四', share: 1, amount_fen: 33333 }] })
    expect(ed.map((l) => l.amount)).toEqual(['666.67', '333.33'])
    ed[1].amount = '0'
    ed.push({ household_id: 9, household_head: '王五', share: 1, amount: '¥1,000.5' })
    expect(distributeLines(ed)).toEqual([
      { household_id: 7, amount_yuan: '666.67' },
      { household_id: 9, amount_yuan: '1000.50' },
    ])
    expect(proposalLines({ lines: null })).toEqual([])
  })
  it('puts the server errors on the line of the household it named', () => {
    const ed = lines('100', '0', '200')
    const sent = distributeLines(ed) // households 100 and 102
    const r = lineErrors({ 'lines[1].household_id': '不是该资产的收益对象', lines: '合计 300.00 元与收益 400.00 元不符', 'lines[0]': '无一卡通账号' }, sent, ed)
    expect(r.byLine).toEqual({ 2: '不是该资产的收益对象', 0: '无一卡通账号' })
    expect(r.general).toEqual(['合计 300.00 元与收益 400.00 元不符'])
    // an index the client did not send is shown, not dropped
    expect(lineErrors({ 'lines[5].amount_yuan': 'x' }, sent, ed).general).toEqual(['x'])
  })
})

describe('assetErrors', () => {
  const ok = (): AssetInput => ({
    code: '',
    name: '光伏电站',
    project_id: 3,
    kind: 'operating',
    value_yuan: '600000',
    ownership: '村集体经济组织',
    region_code: '320921101001',
    property_reg_no: '苏(2026)响水县不动产权第0001号',
    custodian: '某村股份经济合作社',
    location: '',
    lat: null,
    lng: null,
    status: 'in_use',
    formed_on: '',
    entitled: [{ household_id: 1, share: 1 }],
  })
  it('accepts a complete asset', () => {
    expect(assetErrors(ok())).toEqual({})
  })
  it('requires the property registration number, with the server field name', () => {
    expect(assetErrors({ ...ok(), property_reg_no: '  ' })).toEqual({ property_reg_no: 'assets.err.regNo' })
  })
  it('checks the value, the position pair, the box and the shares', () => {
    expect(assetErrors({ ...ok(), value_yuan: '1.234' }).value_yuan).toBe('assets.err.amountFormat')
    expect(assetErrors({ ...ok(), value_yuan: '0' }).value_yuan).toBe('assets.err.amountPositive')
    expect(assetErrors({ ...ok(), lat: 34.2 })).toEqual({ lng: 'assets.err.latLngPair' })
    expect(assetErrors({ ...ok(), lat: 34.2, lng: 19.6 })).toEqual({ lng: 'assets.err.outOfChina' })
    expect(assetErrors({ ...ok(), lat: 34.2, lng: 119.6 })).toEqual({})
    expect(assetErrors({ ...ok(), entitled: [{ household_id: 1, share: 0 }] })).toEqual({ 'entitled[0].share': 'assets.err.share' })
    expect(assetErrors({ ...ok(), project_id: 0 }).project_id).toBe('assets.err.project')
  })
  it('parseCoord', () => {
    expect(parseCoord(' ')).toBeNull()
    expect(parseCoord('34.25')).toBe(34.25)
    expect(parseCoord('abc')).toBeNaN()
  })
})

describe('the offline map', () => {
  it('keeps a kilometre as long across as up', () => {
    const pts = [
      { lat: 34.1, lng: 119.5 },
      { lat: 34.3, lng: 119.75 },
    ]
    const w = 800
    const h = 400
    const e = equalAspect(pts, w, h)
    const lat0 = (e.latMin + e.latMax) / 2
    const kmPerPxX = ((e.lngMax - e.lngMin) * 111.32 * Math.cos((lat0 * Math.PI) / 180)) / w
    const kmPerPxY = ((e.latMax - e.latMin) * 111.32) / h
    expect(kmPerPxX / kmPerPxY).toBeCloseTo(1, 6)
    // every point inside, with a margin
    for (const p of pts) {
      expect(p.lat).toBeGreaterThan(e.latMin)
      expect(p.lat).toBeLessThan(e.latMax)
      expect(p.lng).toBeGreaterThan(e.lngMin)
      expect(p.lng).toBeLessThan(e.lngMax)
    }
    // a single point still gets a window of some kilometres
    const one = equalAspect([{ lat: 34, lng: 120 }], 400, 400)
    expect((one.latMax - one.latMin) * 111.32).toBeGreaterThan(8)
  })
  it('sizes markers by area, within bounds', () => {
    expect(markerSize(0, 100)).toBe(10)
    expect(markerSize(100, 100)).toBe(42)
    expect(markerSize(25, 100)).toBe(26) // a quarter of the value: half the extra diameter
    expect(markerSize(500, 100)).toBe(42)
  })
  it('draws each town around its villages', () => {
    const pts = [
      { region_code: '320921101001', lat: 34.2, lng: 119.6 },
      { region_code: '320921101002', lat: 34.22, lng: 119.63 },
      { region_code: '320921102001', lat: 34.1, lng: 119.5 },
    ]
    expect(townOf('320921101002')).toBe('320921101000')
    const a = townAreas(pts)
    expect(a.map((x) => [x.code, x.villages])).toEqual([
      ['320921101000', 2],
      ['320921102000', 1],
    ])
    // the ring encloses its villages with the buffer all round
    const ring = a[0].ring
    expect(Math.min(...ring.map((p) => p[1]))).toBeLessThan(34.2 - 0.01)
    expect(Math.max(...ring.map((p) => p[0]))).toBeGreaterThan(119.63 + 0.01)
    expect(a[1].centre).toEqual([119.5, 34.1])
  })
  it('convexHull drops inner points', () => {
    const h = convexHull([
      [0, 0],
      [2, 0],
      [1, 1],
      [2, 2],
      [0, 2],
    ])
    expect(h).toHaveLength(4)
    expect(h).not.toContainEqual([1, 1])
  })
  it('scale bar and edge labels', () => {
    expect(scaleBarKm(42)).toBe(10)
    expect(scaleBarKm(9)).toBe(2)
    expect(scaleBarKm(0)).toBe(1)
    expect(degLabel(119.6, 'lng')).toBe('119.60°E')
    expect(degLabel(34.2, 'lat')).toBe('34.20°N')
  })
})
