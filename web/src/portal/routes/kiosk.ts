// Routes of the own-household query (phone) and the kiosk (便民服务终端). The kiosk's screens
// are children of its full-screen frame, which keeps ?town/?idle and runs the idle reset.
import type { RouteRecordRaw } from 'vue-router'

export const kioskRoutes: RouteRecordRaw[] = [
  { path: '/p/query', name: 'query', component: () => import('../views/query/SelfQuery.vue'), meta: { title: 'kiosk.query.title' } },
  {
    path: '/kiosk',
    component: () => import('../views/kiosk/KioskLayout.vue'),
    children: [
      { path: '', name: 'kiosk', component: () => import('../views/kiosk/KioskHome.vue') },
      { path: 'query', name: 'kiosk-query', component: () => import('../views/kiosk/KioskQuery.vue') },
      { path: 'open', name: 'kiosk-open', component: () => import('../views/kiosk/KioskOpen.vue') },
      { path: 'complaint', name: 'kiosk-complaint', component: () => import('../views/kiosk/KioskComplaint.vue') },
      { path: 'track', name: 'kiosk-track', component: () => import('../views/kiosk/KioskTrack.vue') },
      { path: 'needs', name: 'kiosk-needs', component: () => import('../views/kiosk/KioskNeeds.vue') },
      { path: ':rest(.*)*', redirect: (to) => ({ path: '/kiosk', query: to.query }) },
    ],
  },
]
