// Routes of the public face's forces pages.
import type { RouteRecordRaw } from 'vue-router'

export const forcesRoutes: RouteRecordRaw[] = []
