// Routes of the public face's region pages (the home page itself is in router.ts).
import type { RouteRecordRaw } from 'vue-router'

export const regionRoutes: RouteRecordRaw[] = [
  { path: '/p/r/:code(\\d{12})', name: 'region', component: () => import('../views/region/RegionView.vue'), meta: { title: 'region.home.title' } },
  { path: '/p/complaint', name: 'complaint', component: () => import('../views/region/ComplaintView.vue'), meta: { title: 'region.complaint.title' } },
  { path: '/p/complaint/:code', name: 'complaint-track', component: () => import('../views/region/ComplaintTrack.vue'), meta: { title: 'region.track.title' } },
  { path: '/p/open', name: 'open-data', component: () => import('../views/region/OpenData.vue'), meta: { title: 'region.open.title' } },
]
