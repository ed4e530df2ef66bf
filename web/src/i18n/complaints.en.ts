// Complaints, random spot checks and accountability cases.
export const complaintsMenu = {
  complaints: 'Complaints',
  spotChecks: 'Spot checks',
  cases: 'Accountability',
}

export const complaintsActions = {}

export const complaintsEntities = {
  complaint: 'Complaint',
  spot_plan: 'Spot-check plan',
  accountability_case: 'Accountability case',
}

export default {
  complaints: {
    detail: { title: 'Complaint' },
    spot: { title: 'Spot-check plan' },
  },
}
