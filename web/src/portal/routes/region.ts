// Routes of the public face's region pages.
import type { RouteRecordRaw } from 'vue-router'

export const regionRoutes: RouteRecordRaw[] = []
