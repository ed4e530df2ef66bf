// 精准监督: early-warning alerts (预警), their rules, 再监督 and the leadership cockpit (驾驶舱).
// Simplified Chinese; oversight.en.ts has the same keys.
export const oversightMenu = {
  oversight: '精准监督',
  oversightCockpit: '监督驾驶舱',
  alertInbox: '预警处置',
  alertSupervision: '再监督',
  alertRules: '预警规则',
}

export const oversightActions = {}

export const oversightEntities = {
  alert: '预警',
}

export default {
  oversight: {
    alert: { title: '预警详情' },
  },
}
