// Pure helpers of the 社会力量 screens: the enumerations in display order, a deputy's title
// (级别 + 身份, e.g. 乡镇人大代表), the credit code's shape, the services list's limits and the
// moves a 对接 record may make next.
import type { DeputyKind, DeputyLevel, MatchStatus, ProviderKind, Willing } from '../../../api/forces'
import { stageKeys } from '../../projects/helpers'

export const providerKinds: ProviderKind[] = ['volunteer', 'law_firm', 'bookkeeping_firm', 'accounting_firm', 'other_firm']
export const deputyKinds: DeputyKind[] = ['npc', 'cppcc']
export const deputyLevels: DeputyLevel[] = ['national', 'province', 'city', 'county', 'town']
export const willings: Willing[] = ['capital', 'project', 'technology']
export const matchStatuses: MatchStatus[] = ['proposed', 'contacted', 'agreed', 'declined']

export const isFirm = (kind: string) => kind !== 'volunteer' && kind !== ''

/** The levels a kind has: the CPPCC has no township committee. */
export function levelsFor(kind: string): DeputyLevel[] {
  return kind === 'cppcc' ? deputyLevels.filter((l) => l !== 'town') : deputyLevels
}

/** The i18n keys of a deputy's title: level then kind (乡镇 + 人大代表). */
export function deputyTitleKeys(kind: string, level: string): [string, string] {
  return [`forces.level.${level}`, `forces.deputyKind.${kind}`]
}

/** Tag colour per level (as on the public page), so a national deputy stands out from a township one. */
export function levelType(level: string): 'danger' | 'warning' | 'primary' | 'success' | 'info' {
  return ({ national: 'danger', province: 'danger', city: 'warning', county: 'primary', town: 'success' } as Record<string, 'danger' | 'warning' | 'primary' | 'success'>)[level] ?? 'info'
}

// 统一社会信用代码 (GB 32100): 18 characters from digits and capital letters without I, O, S, V, Z.
const creditChars = '0123456789ABCDEFGHJKLMNPQRTUWXY'
export function creditCodeShape(s: string): boolean {
  if (s.length !== 18) return false
  for (const c of s) if (!creditChars.includes(c)) return false
  return true
}

/** The services as typed (one per line or separated by commas), trimmed, without repeats. */
export function splitServices(s: string | string[]): string[] {
  const parts = Array.isArray(s) ? s : s.split(/[\n,，、;；]/)
  const out: string[] = []
  for (const p of parts) {
    const v = p.trim()
    if (v && !out.includes(v)) out.push(v)
  }
  return out
}

/** Whether a services list is within the register's limits (≤ 10, each ≤ 20 characters). */
export function servicesOK(list: string[]): boolean {
  return list.length <= 10 && list.every((s) => [...s].length <= 20)
}

/** The statuses a 对接 record may move to: proposed → contacted → agreed | declined. */
export function nextMatchStatuses(s: string): MatchStatus[] {
  if (s === 'proposed') return ['contacted', 'declined']
  if (s === 'contacted') return ['agreed', 'declined']
  return []
}

export function matchType(s: string): 'info' | 'warning' | 'success' | 'danger' {
  return s === 'contacted' ? 'warning' : s === 'agreed' ? 'success' : s === 'declined' ? 'danger' : 'info'
}

/** A project's stage as an i18n key: the API may send the stage's number or its key. */
export function stageKey(stage: string | number | null | undefined): string {
  if (stage === null || stage === undefined || stage === '') return ''
  const n = typeof stage === 'number' ? stage : /^\d+$/.test(stage) ? Number(stage) : NaN
  if (!Number.isNaN(n)) return n >= 0 && n < stageKeys.length ? stageKeys[n] : n >= stageKeys.length ? 'completed' : ''
  return String(stage)
}

/** A delivered share of a pledge in whole per cent, capped at 100 (0 when nothing was pledged). */
export function deliveredPct(pledged: number, delivered: number): number {
  if (!pledged || pledged <= 0) return 0
  return Math.max(0, Math.min(100, Math.round((delivered / pledged) * 100)))
}

/** Hours as the register shows them: whole numbers plain, otherwise one decimal. */
export function formatHours(h: number | null | undefined): string {
  if (h === null || h === undefined || !Number.isFinite(h)) return '0'
  return Number.isInteger(h) ? String(h) : h.toFixed(1)
}
