import region from './region.en'
import kiosk from './kiosk.en'
import social from './social.en'
import forces from './forces.en'

export default {
  app: { title: 'Sunshine · Public disclosure', lang: '中文' },
  nav: { home: 'Home', query: 'My household', needs: 'Wishes', complaint: 'Report' },
  common: { loading: 'Loading…', retry: 'Retry', back: 'Back', submit: 'Submit', none: 'Nothing yet' },
  ...region,
  ...kiosk,
  ...social,
  ...forces,
}
