// Messages of the public face's forces pages (Chinese first): 社会力量 at /p/forces/:code.
export default {
  forces: {
    title: '社会力量',
    subtitle: '{name}的社会帮扶力量',
    asOf: '数据更新于 {t}',
    home: '首页',
    regionPage: '返回区域主页',
    below: '查看下级',
    fig: { firms: '第三方机构', volunteers: '志愿者', records: '服务次数', hours: '服务时长', unitOrg: '家', unitPeople: '人', unitTimes: '次', unitHours: '小时' },
    firms: { title: '第三方机构服务', none: '暂无在册的第三方机构', served: '服务 {n} 次 · {h} 小时', last: '最近服务 {d}', contact: '联系人 {name}' },
    kind: { volunteer: '志愿者', law_firm: '律师事务所', bookkeeping_firm: '代理记账公司', accounting_firm: '会计师事务所', other_firm: '其他机构' },
    deputies: { title: '人大代表、政协委员结对', none: '暂无代表委员结对', since: '{d} 起结对', acts: '活动 {n} 次' },
    deputyKind: { npc: '人大代表', cppcc: '政协委员' },
    level: { national: '全国', province: '省', city: '市', county: '县', town: '乡镇' },
    enterprises: { title: '村企结对', none: '暂无村企结对', pledged: '承诺帮扶', delivered: '已落实', commitment: '帮扶内容', since: '{d} 起结对' },
    recent: { title: '近期活动', none: '暂无活动记录', service: '服务记录', pairing: '结对活动', people: '{n} 人参与' },
    entrepreneurs: { title: '在外创业人士', total: '登记在外创业人士 {n} 人', none: '暂无登记', note: '仅公布人数，不公布个人信息' },
    willing: { capital: '有意带资金返乡', project: '有意带项目返乡', technology: '有意带技术返乡' },
    notFound: '未找到该区域',
  },
}
