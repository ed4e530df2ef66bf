// Routes of the public face's social pages: 微心愿 (needs and the 认捐 form), 捐赠公示 and the
// donor's own 捐赠去向查询.
import type { RouteRecordRaw } from 'vue-router'

export const socialRoutes: RouteRecordRaw[] = [
  { path: '/p/needs', name: 'social-needs', component: () => import('../views/social/NeedsView.vue'), meta: { title: 'social.needs.title' } },
  { path: '/p/needs/:id(\\d+)', name: 'social-need', component: () => import('../views/social/NeedView.vue'), meta: { title: 'social.need.title' } },
  { path: '/p/donations', name: 'social-donations', component: () => import('../views/social/DonationsView.vue'), meta: { title: 'social.donations.title' } },
  { path: '/p/donation', name: 'social-donation', component: () => import('../views/social/DonationQueryView.vue'), meta: { title: 'social.query.title' } },
]
