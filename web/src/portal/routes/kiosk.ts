// Routes of the public face's kiosk pages.
import type { RouteRecordRaw } from 'vue-router'

export const kioskRoutes: RouteRecordRaw[] = []
