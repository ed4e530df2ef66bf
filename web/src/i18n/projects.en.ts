// Projects: projects, their nine-stage lifecycle, beneficiaries, village plans (备案), risks and
// 容错. English; projects.zh-CN.ts has the same keys.
export const projectsMenu = {
  projects: 'Projects',
  projectList: 'Project library',
  projectBoard: 'Project board',
  villagePlans: 'Village plans',
}

export const projectsActions = {}

export const projectsEntities = {}

export default {
  projects: {},
}
