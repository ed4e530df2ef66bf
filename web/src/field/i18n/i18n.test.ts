import { describe, expect, it } from 'vitest'
import zhCN from './zh-CN'
import en from './en'

function leaves(o: unknown, prefix = ''): [string, unknown][] {
  if (o === null || typeof o !== 'object') return [[prefix, o]]
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k))
}
const keys = (o: unknown) => leaves(o).map(([k]) => k).sort()

describe('field app messages', () => {
  it('zh-CN and en have exactly the same keys', () => {
    const zk = keys(zhCN)
    const ek = keys(en)
    expect(zk.filter((k) => !ek.includes(k))).toEqual([])
    expect(ek.filter((k) => !zk.includes(k))).toEqual([])
    expect(zk.length).toBeGreaterThan(100)
  })

  it('every message is a non-empty string', () => {
    for (const [k, v] of [...leaves(zhCN), ...leaves(en)]) {
      expect(typeof v, k).toBe('string')
      expect((v as string).trim().length, k).toBeGreaterThan(0)
    }
  })

  it('uses the same placeholders in both languages', () => {
    const ph = (s: string) => [...new Set(s.match(/\{\w+\}/g) ?? [])].sort().join(',')
    const en2 = new Map(leaves(en))
    for (const [k, v] of leaves(zhCN)) expect(ph(en2.get(k) as string), k).toBe(ph(v as string))
  })

  it('has no characters vue-i18n would misread', () => {
    for (const [k, v] of [...leaves(zhCN), ...leaves(en)]) {
      expect(/[|@$]/.test(v as string), k).toBe(false)
      // braces only as {placeholders}
      expect(/\{(?!\w+\})|(?<!\{\w+)\}/.test(v as string), k).toBe(false)
    }
  })

  it('zh-CN is Chinese and names the app as installed', () => {
    expect(zhCN.app.name).toBe('阳光扶贫·帮扶走访')
    expect(zhCN.app.short).toBe('帮扶走访')
    for (const v of Object.values(zhCN.tabs)) expect(/[\u4e00-\u9fff]/.test(v)).toBe(true)
    expect(zhCN.queue.conflict).toBe('冲突待审核')
  })
})
