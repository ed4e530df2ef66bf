import { describe, expect, it } from 'vitest'

describe('project labels', () => {
  it('names every audit action and entity of the projects in both languages', async () => {
    const { i18n, label } = await import('./index')
    i18n.global.locale.value = 'zh-CN'
    const names: Record<string, string> = {
      'project.create': '新建项目',
      'project.update': '修改项目',
      'project.document': '上传项目文件',
      'project.sign': '阶段签字',
      'project.beneficiary.add': '登记受益对象',
      'project.beneficiary.review': '审核受益对象',
      'project.risk.add': '登记项目风险',
      'project.risk.close': '关闭项目风险',
      'project.tolerance.request': '申请容错',
      'project.tolerance.decide': '容错审批',
      'village_plan.create': '新建村级规划',
      'village_plan.file': '规划报送备案',
      'village_plan.decide': '规划备案受理/退回',
    }
    const entities: Record<string, string> = {
      project: '扶贫项目',
      project_beneficiary: '项目受益对象',
      project_risk: '项目风险',
      project_tolerance: '容错申请',
      village_plan: '村级规划',
    }
    for (const [action, zh] of Object.entries(names)) expect(label('actions', action), action).toBe(zh)
    for (const [e, zh] of Object.entries(entities)) expect(label('entityTypes', e), e).toBe(zh)
    expect(label('projects.stage', 'feasibility')).toBe('论证')
    expect(label('projects.planStatus', 'received')).toBe('已受理')
    i18n.global.locale.value = 'en'
    for (const action of Object.keys(names)) expect(label('actions', action), action).not.toBe(action)
    for (const e of Object.keys(entities)) expect(label('entityTypes', e), e).not.toBe(e)
    expect(label('projects.kind', 'carrier')).toBe('Business-led')
    i18n.global.locale.value = 'zh-CN'
  })
})
