import region from './region.zh-CN'
import kiosk from './kiosk.zh-CN'
import social from './social.zh-CN'
import forces from './forces.zh-CN'

export default {
  app: { title: '阳光扶贫·公开查询', lang: 'English' },
  nav: { home: '首页', query: '查询本户', needs: '微心愿', complaint: '我要举报' },
  common: { loading: '加载中…', retry: '重试', back: '返回', submit: '提交', none: '暂无数据' },
  ...region,
  ...kiosk,
  ...social,
  ...forces,
}
