// Messages of the public face's forces pages (English).
export default {
  forces: {
    title: 'Social forces',
    subtitle: 'Social forces helping {name}',
    asOf: 'Updated {t}',
    home: 'Home',
    regionPage: 'Back to the region page',
    below: 'Go to',
    fig: { firms: 'Firms', volunteers: 'Volunteers', records: 'Services', hours: 'Service hours', unitOrg: '', unitPeople: '', unitTimes: '', unitHours: 'h' },
    firms: { title: 'Third-party firms', none: 'No firms registered', served: '{n} services · {h} h', last: 'Last served {d}', contact: 'Contact {name}' },
    kind: { volunteer: 'Volunteer', law_firm: 'Law firm', bookkeeping_firm: 'Bookkeeping firm', accounting_firm: 'Accounting firm', other_firm: 'Other firm' },
    deputies: { title: 'Deputies and CPPCC members paired with villages', none: 'No pairings', since: 'Since {d}', acts: '{n} activities' },
    deputyKind: { npc: ' People\'s Congress deputy', cppcc: ' CPPCC member' },
    level: { national: 'National', province: 'Provincial', city: 'City', county: 'County', town: 'Township' },
    enterprises: { title: 'Village–enterprise pairs', none: 'No pairs', pledged: 'Pledged', delivered: 'Delivered', commitment: 'Commitment', since: 'Since {d}' },
    recent: { title: 'Recent activities', none: 'No activity yet', service: 'Service', pairing: 'Pairing activity', people: '{n} people' },
    entrepreneurs: { title: 'Entrepreneurs working away', total: '{n} registered', none: 'None registered', note: 'Counts only, no personal details' },
    willing: { capital: 'Would bring capital', project: 'Would bring projects', technology: 'Would bring technology' },
    notFound: 'Region not found',
  },
}
