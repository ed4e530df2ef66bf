import { describe, expect, it } from 'vitest'
import zhCN from './zh-CN'
import en from './en'

// Every leaf path of a message tree ("a.b.0" for arrays), sorted.
function keys(o: unknown, prefix = ''): string[] {
  if (o === null || typeof o !== 'object') return [prefix]
  return Object.entries(o as Record<string, unknown>)
    .flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k))
    .sort()
}

function leaves(o: unknown, prefix = ''): [string, unknown][] {
  if (o === null || typeof o !== 'object') return [[prefix, o]]
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) =>
    leaves(v, prefix ? `${prefix}.${k}` : k),
  )
}

describe('i18n messages', () => {
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
    const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join(',')
    const en2 = new Map(leaves(en))
    for (const [k, v] of leaves(zhCN)) {
      expect(ph(en2.get(k) as string), k).toBe(ph(v as string))
    }
  })

  it('has no characters vue-i18n would misread', () => {
    for (const [k, v] of [...leaves(zhCN), ...leaves(en)]) {
      expect(/[|@$]/.test(v as string), k).toBe(false)
    }
  })

  it('zh-CN uses Chinese for the menu and the title', () => {
    expect(zhCN.app.title).toBe('盐城市阳光扶贫监管系统')
    for (const v of Object.values(zhCN.menu)) expect(/[\u4e00-\u9fff]/.test(v)).toBe(true)
  })
})

describe('label', () => {
  it('names every audit action of the cross-checks, also those one level below another action', async () => {
    const { i18n, label } = await import('./index')
    i18n.global.locale.value = 'zh-CN'
    const names: Record<string, string> = {
      'crosscheck.run.start': '发起比对',
      'crosscheck.run': '比对完成',
      'crosscheck.run.fail': '比对失败',
      'crosscheck.rules': '修改比对规则',
      'dataset.register': '登记比对数据',
      'dataset.retire': '停用比对数据',
      'doubt.dispatch': '下发核查',
      'doubt.outcome': '核查结论',
      'authorisation.add': '登记授权委托书',
      'authorisation.revoke': '撤回授权',
    }
    for (const [action, zh] of Object.entries(names)) expect(label('actions', action), action).toBe(zh)
    expect(label('entityTypes', 'crosscheck_run')).toBe('比对批次')
    expect(label('actions', 'crosscheck.run.unknown')).toBe('crosscheck.run.unknown')
    i18n.global.locale.value = 'en'
    expect(label('actions', 'crosscheck.run.fail')).toBe('Cross-check run failed')
    i18n.global.locale.value = 'zh-CN'
  })
})
