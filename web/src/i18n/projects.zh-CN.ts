// 精准项目: projects, their nine-stage lifecycle, beneficiaries, village plans (备案), risks and
// 容错. Simplified Chinese; projects.en.ts has the same keys.
export const projectsMenu = {
  projects: '精准项目',
  projectList: '项目库',
  projectBoard: '项目看板',
  villagePlans: '村级规划备案',
}

export const projectsActions = {}

export const projectsEntities = {}

export default {
  projects: {},
}
