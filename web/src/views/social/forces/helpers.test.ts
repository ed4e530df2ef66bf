import { describe, expect, it } from 'vitest'
import { creditCodeShape, deliveredPct, formatHours, isFirm, levelsFor, levelType, nextMatchStatuses, servicesOK, splitServices, stageKey } from './helpers'

describe('social forces helpers', () => {
  it('knows firms from volunteers', () => {
    expect(isFirm('volunteer')).toBe(false)
    expect(isFirm('law_firm')).toBe(true)
    expect(isFirm('other_firm')).toBe(true)
  })

  it('gives the CPPCC no township level', () => {
    expect(levelsFor('npc')).toContain('town')
    expect(levelsFor('cppcc')).not.toContain('town')
    expect(levelsFor('cppcc')).toHaveLength(4)
    expect(levelType('national')).toBe('danger')
    expect(levelType('town')).toBe('success')
    expect(levelType('other')).toBe('info')
  })

  it('checks a credit code\'s shape (18 characters, no I O S V Z)', () => {
    expect(creditCodeShape('91350100M000100Y43')).toBe(true)
    expect(creditCodeShape('91350100M000100Y4')).toBe(false)
    expect(creditCodeShape('91350100M000100I43')).toBe(false)
    expect(creditCodeShape('91350100m000100y43')).toBe(false)
  })

  it('splits and limits the services list', () => {
    expect(splitServices('法律咨询，代理记账、法律咨询\n 技能培训 ')).toEqual(['法律咨询', '代理记账', '技能培训'])
    expect(splitServices([' a ', '', 'a', 'b'])).toEqual(['a', 'b'])
    expect(servicesOK(Array.from({ length: 10 }, (_, i) => 's' + i))).toBe(true)
    expect(servicesOK(Array.from({ length: 11 }, (_, i) => 's' + i))).toBe(false)
    expect(servicesOK(['一二三四五六七八九十一二三四五六七八九十'])).toBe(true)
    expect(servicesOK(['一二三四五六七八九十一二三四五六七八九十一'])).toBe(false)
  })

  it('moves a match only forward: proposed → contacted → agreed | declined', () => {
    expect(nextMatchStatuses('proposed')).toEqual(['contacted', 'declined'])
    expect(nextMatchStatuses('contacted')).toEqual(['agreed', 'declined'])
    expect(nextMatchStatuses('agreed')).toEqual([])
    expect(nextMatchStatuses('declined')).toEqual([])
  })

  it('reads a project stage sent as a number or a key', () => {
    expect(stageKey(0)).toBe('research')
    expect(stageKey('5')).toBe('implementation')
    expect(stageKey('tender')).toBe('tender')
    expect(stageKey(9)).toBe('completed')
    expect(stageKey('')).toBe('')
  })

  it('shows delivered against pledged in whole per cent, capped', () => {
    expect(deliveredPct(10000, 2500)).toBe(25)
    expect(deliveredPct(10000, 20000)).toBe(100)
    expect(deliveredPct(0, 500)).toBe(0)
    expect(formatHours(3)).toBe('3')
    expect(formatHours(2.25)).toBe('2.3')
    expect(formatHours(undefined)).toBe('0')
  })
})
