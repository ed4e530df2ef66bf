// 举报/投诉, 双随机抽查 and 问责. Simplified Chinese; complaints.en.ts has the same keys.
export const complaintsMenu = {
  complaints: '投诉举报',
  spotChecks: '双随机抽查',
  cases: '问责追责',
}

export const complaintsActions = {}

export const complaintsEntities = {
  complaint: '投诉举报',
  spot_plan: '抽查计划',
  accountability_case: '问责案件',
}

export default {
  complaints: {
    detail: { title: '投诉举报详情' },
    spot: { title: '抽查计划' },
  },
}
