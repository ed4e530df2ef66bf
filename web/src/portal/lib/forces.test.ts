import { describe, expect, it } from 'vitest'
import { barPct, crumbs, deputyTitle, hasPhone, hours, latest, levelTagType, type PublicActivity } from './forces'

describe('forces page helpers', () => {
  it('titles a deputy by level then kind', () => {
    expect(deputyTitle('npc', 'town')).toEqual(['forces.level.town', 'forces.deputyKind.npc'])
    expect(levelTagType('national')).toBe('danger')
    expect(levelTagType('town')).toBe('success')
    expect(levelTagType('unknown')).toBe('default')
  })

  it('sizes bars within 0–100 and never divides by zero', () => {
    expect(barPct(1, 4)).toBe(25)
    expect(barPct(5, 4)).toBe(100)
    expect(barPct(3, 0)).toBe(0)
    expect(barPct(-1, 10)).toBe(0)
    expect(barPct(1, 3)).toBe(33)
  })

  it('shows hours plain when whole, else with one decimal', () => {
    expect(hours(12)).toBe('12')
    expect(hours(2.25)).toBe('2.3')
    expect(hours(1200)).toBe('1,200')
    expect(hours(NaN)).toBe('0')
  })

  it('lists the latest activities first', () => {
    const a = (id: number, on_date: string) => ({ id, on_date, title: 't' + id }) as PublicActivity
    const out = latest([a(1, '2026-01-02'), a(2, '2026-03-01'), a(3, '2026-01-02'), a(4, '2025-12-31')], 3)
    expect(out.map((x) => x.id)).toEqual([2, 1, 3])
    expect(latest(null)).toEqual([])
  })

  it('spots an unmasked mobile number but not a masked one or a longer code', () => {
    expect(hasPhone('联系电话 13851230001')).toBe(true)
    expect(hasPhone('13851230001')).toBe(true)
    expect(hasPhone('138****0001')).toBe(false)
    expect(hasPhone('统一社会信用代码 91320921138512300012')).toBe(false)
    expect(hasPhone('编号 320921113851230001')).toBe(false)
    expect(hasPhone('12345678901')).toBe(false)
  })

  it('builds breadcrumbs below the city ending at the region', () => {
    const nav = {
      code: '320921101000',
      name: '某镇',
      level: 'town',
      path: [
        { code: '320900000000', name: '盐城市', level: 'city' },
        { code: '320921000000', name: '响水县', level: 'county' },
      ],
      children: [],
    }
    expect(crumbs(nav).map((r) => r.name)).toEqual(['响水县', '某镇'])
    expect(crumbs(null)).toEqual([])
  })
})
