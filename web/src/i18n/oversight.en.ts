// Oversight: early-warning alerts, their rules, supervision of handling and the cockpit.
export const oversightMenu = {
  oversight: 'Oversight',
  oversightCockpit: 'Cockpit',
  alertInbox: 'Alerts',
  alertSupervision: 'Supervision',
  alertRules: 'Alert rules',
}

export const oversightActions = {}

export const oversightEntities = {
  alert: 'Alert',
}

export default {
  oversight: {
    alert: { title: 'Alert' },
  },
}
