import { describe, expect, it } from 'vitest'

describe('complaint, spot-check and case labels', () => {
  it('names every audit action and entity of the complaints desk in both languages', async () => {
    const { i18n, label } = await import('./index')
    i18n.global.locale.value = 'zh-CN'
    const names: Record<string, string> = {
      'complaint.lodge': '登记投诉举报',
      'complaint.assign': '交办投诉',
      'complaint.reply': '答复投诉',
      'complaint.close': '投诉办结',
      'complaint.forward': '移送纪委',
      'complaint.rate': '满意度评价',
      'spot.plan': '新建抽查计划',
      'spot.draw': '抽取抽查对象',
      'spot.finding': '登记抽查结果',
      'spot.close': '抽查结束',
      'case.create': '登记问责',
    }
    for (const [action, zh] of Object.entries(names)) expect(label('actions', action), action).toBe(zh)
    expect(label('entityTypes', 'accountability_case')).toBe('问责案件')
    expect(label('complaints.status', 'received')).toBe('待交办')
    expect(label('complaints.cases.handling', 'judicial')).toBe('移送司法机关')
    i18n.global.locale.value = 'en'
    for (const action of Object.keys(names)) expect(label('actions', action), action).not.toBe(action)
    expect(label('complaints.spots.status', 'drawn')).toBe('Checking')
    i18n.global.locale.value = 'zh-CN'
  })
})
