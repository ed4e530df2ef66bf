import { describe, expect, it } from 'vitest'
import { RegionTree, datasetURL, daysLeft, mapLimit, normalizeTrackingCode, searchPlaces, sortNotices, type Notice, type RegionPage } from './region'

const notice = (id: number, period: string, ends: string): Notice => ({
  id,
  kind: 'exit',
  kind_label: '脱贫退出',
  region_code: '320921100201',
  region_name: '湖桥村',
  title: 't',
  body: 'b',
  starts_at: '2026-11-01T00:00:00Z',
  ends_at: ends,
  period,
  objections: 0,
  unanswered: 0,
})

describe('daysLeft', () => {
  const now = new Date('2026-11-25T10:00:00Z')
  it('counts part of a day as a day', () => {
    expect(daysLeft('2026-11-25T11:00:00Z', now)).toBe(1)
    expect(daysLeft('2026-11-27T10:00:00Z', now)).toBe(2)
    expect(daysLeft('2026-11-27T10:00:01Z', now)).toBe(3)
  })
  it('is 0 once ended or when the time is not a time', () => {
    expect(daysLeft('2026-11-25T10:00:00Z', now)).toBe(0)
    expect(daysLeft('2026-11-20T10:00:00Z', now)).toBe(0)
    expect(daysLeft('not a date', now)).toBe(0)
  })
})

describe('sortNotices', () => {
  it('puts open notices first, soonest ending first, then closed latest first', () => {
    const ns = [
      notice(1, 'closed', '2026-11-01T00:00:00Z'),
      notice(2, 'open', '2026-12-05T00:00:00Z'),
      notice(3, 'closed', '2026-11-10T00:00:00Z'),
      notice(4, 'open', '2026-11-30T00:00:00Z'),
    ]
    expect(sortNotices(ns).map((n) => n.id)).toEqual([4, 2, 3, 1])
    expect(ns.map((n) => n.id)).toEqual([1, 2, 3, 4]) // not sorted in place
  })
})

describe('normalizeTrackingCode', () => {
  it('reads codes as people type them', () => {
    expect(normalizeTrackingCode('TS-7KQ4-9XWM-2PHD')).toBe('TS-7KQ4-9XWM-2PHD')
    expect(normalizeTrackingCode('ts 7kq4 9xwm 2phd')).toBe('TS-7KQ4-9XWM-2PHD')
    expect(normalizeTrackingCode('7KQ49XWM2PHD')).toBe('TS-7KQ4-9XWM-2PHD')
  })
  it('refuses what cannot be a code (letters the alphabet leaves out, wrong length)', () => {
    expect(normalizeTrackingCode('TS-7KQ4-9XWM-2PH0')).toBe('') // 0 is not in the alphabet
    expect(normalizeTrackingCode('TS-7KQ4-9XWM-2PHI')).toBe('')
    expect(normalizeTrackingCode('7KQ49XWM2PH')).toBe('')
    expect(normalizeTrackingCode('')).toBe('')
    expect(normalizeTrackingCode('<script>alert(1)</script>')).toBe('')
  })
})

const pg = (code: string, name: string, level: string, children: [string, string, string][]): RegionPage => ({
  code,
  name,
  level,
  path: [],
  children: children.map(([c, n, l]) => ({ code: c, name: n, level: l })),
  stats: { year: 2026, households: 0, people: 0, exited_year: 0, helpers: 0, paid_year_fen: 0, paid_total_fen: 0, projects: 0, project_budget_fen: 0 },
  notices: [],
  as_of: '',
})

const pages: Record<string, RegionPage> = {
  '320900000000': pg('320900000000', '盐城市', 'city', [['320921000000', '响水县', 'county']]),
  '320921000000': pg('320921000000', '响水县', 'county', [
    ['320921100000', '胡庄镇', 'town'],
    ['320921101000', '港圩镇', 'town'],
  ]),
  '320921100000': pg('320921100000', '胡庄镇', 'town', [
    ['320921100201', '湖桥村', 'village'],
    ['320921100202', '胡庄村', 'village'],
  ]),
  '320921101000': pg('320921101000', '港圩镇', 'town', [['320921101201', '前湾村', 'village']]),
}

describe('RegionTree', () => {
  it('walks the tree level by level, loads each page once and never a village page', async () => {
    const asked: string[] = []
    const tree = new RegionTree(async (code) => {
      asked.push(code)
      const p = pages[code]
      if (!p) throw new Error('no page ' + code)
      return p
    })
    const places = await tree.places('320900000000', 2)
    expect(asked.sort()).toEqual(Object.keys(pages).sort())
    expect(places.map((p) => p.code).sort()).toEqual(['320921100000', '320921100201', '320921100202', '320921101000', '320921101201'])
    expect(places.find((p) => p.code === '320921100202')?.parents).toBe('响水县 · 胡庄镇')
    expect(places.find((p) => p.code === '320921100000')?.parents).toBe('响水县')
    // Towns first, then villages; a name part matches.
    expect(searchPlaces(places, '胡庄').map((p) => p.code)).toEqual(['320921100000', '320921100202'])
    expect(searchPlaces(places, ' 湖 桥 ').map((p) => p.name)).toEqual(['湖桥村'])
    expect(searchPlaces(places, '')).toEqual([])
    await tree.places('320900000000')
    expect(asked.length).toBe(4) // cached
  })

  it('forgets a failed page so a retry asks again', async () => {
    let fail = true
    const tree = new RegionTree(async (code) => {
      if (fail) throw new Error('network')
      return pages[code]
    })
    await expect(tree.page('320900000000')).rejects.toThrow('network')
    fail = false
    expect((await tree.page('320900000000')).name).toBe('盐城市')
  })
})

describe('mapLimit', () => {
  it('never runs more than n at once and runs every item', async () => {
    let running = 0
    let peak = 0
    const done: number[] = []
    await mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (x) => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setTimeout(r, 5))
      done.push(x)
      running--
    })
    expect(peak).toBe(3)
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7])
  })
})

describe('datasetURL', () => {
  const d = { name: 'households', title: '', description: '', url: '/api/v1/public/open/households.csv' }
  it('adds the region or fills the placeholder', () => {
    expect(datasetURL(d, '320921000000')).toBe('/api/v1/public/open/households.csv?region=320921000000')
    expect(datasetURL({ ...d, url: d.url + '?x=1' }, '320921000000')).toBe('/api/v1/public/open/households.csv?x=1&region=320921000000')
    expect(datasetURL({ ...d, url: '/api/v1/public/open/{code}/households.csv' }, '320921100201')).toBe('/api/v1/public/open/320921100201/households.csv')
    expect(datasetURL(d, '')).toBe(d.url)
  })
})

describe('region messages', () => {
  it('have the same keys in Chinese and English, none empty where Chinese has text', async () => {
    const zh = (await import('../i18n/region.zh-CN')).default
    const en = (await import('../i18n/region.en')).default
    const flat = (o: Record<string, unknown>, p = ''): Record<string, string> =>
      Object.fromEntries(
        Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v ? Object.entries(flat(v as Record<string, unknown>, p + k + '.')) : [[p + k, String(v)]])),
      )
    const z = flat(zh)
    const e = flat(en)
    expect(Object.keys(e).sort()).toEqual(Object.keys(z).sort())
    // Units (户, 人) have no English word; everything else is translated.
    const untranslated = Object.keys(z).filter((k) => z[k] && !e[k] && !k.startsWith('region.stats.unit') && k !== 'region.page.children.village')
    expect(untranslated).toEqual([])
  })
})
