package auth

import "slices"

// permissions is the one table of what each role may do. Region scope is checked separately,
// on every row, so a county auditor reads everything — in their county.
var permissions = map[Role][]Action{
	Admin: {DashboardRead, RegionRead, RegionWrite, HouseholdRead, UserRead, UserWrite, AuditRead, AuditVerify,
		ProcedureDefine, IncomeLineWrite, VisitRead, CrosscheckRules, DoubtRead, FundRead, AlertRead, AlertRun, AlertRules},
	PovertyOffice: {DashboardRead, RegionRead, HouseholdRead, HouseholdWrite, HouseholdExport, RegistryImport,
		ProcedureStart, ProcedureSign, ObjectionLodge, IncomeLineWrite, DutyWrite,
		VisitRead, VisitReview, CrosscheckRun, DoubtRead, DoubtVerify, FundRead, PlanWrite,
		AlertRead, AlertHandle, AlertRun, ComplaintRead, ComplaintHandle, SpotWrite, CaseRead,
		ProjectRead, ProjectWrite, ProjectSign, SocialRead, SocialWrite},
	VillageCadre: {DashboardRead, RegionRead, HouseholdRead, HouseholdWrite, ProcedureStart, ProcedureSign, ObjectionLodge,
		VisitRead, VisitReview, DoubtRead, DoubtVerify, FundRead, AlertRead, AlertHandle, ComplaintRead, ComplaintHandle,
		ProjectRead, ProjectWrite, ProjectSign, SocialRead, SocialWrite},
	Helper: {RegionRead, HouseholdRead, ProcedureSign, FieldSync, ComplaintLodge},
	CivilAffairs: {DashboardRead, RegionRead, HouseholdRead, HouseholdExport, CrosscheckRun, CrosscheckRules, DoubtRead,
		AlertRead, AlertHandle, ComplaintRead, ComplaintHandle},
	Finance: {DashboardRead, RegionRead, HouseholdRead, HouseholdExport, FundRead, FundWrite, PlanApprove,
		AlertRead, AlertHandle, ComplaintRead, ComplaintHandle, ProjectRead, ProjectSign, SocialRead},
	Department: {DashboardRead, RegionRead, FundRead, FundWrite, AlertRead, AlertHandle, ComplaintRead, ComplaintHandle, ProjectRead, SocialRead},
	Auditor: {DashboardRead, RegionRead, HouseholdRead, HouseholdExport, AuditRead, AuditVerify, VisitRead, DoubtRead, FundRead,
		AlertRead, ComplaintRead, SpotWrite, CaseRead, ProjectRead, SocialRead},
	Discipline: {DashboardRead, RegionRead, HouseholdRead, HouseholdExport, AuditRead, AuditVerify, ObjectionLodge, VisitRead, DoubtRead, FundRead,
		AlertRead, AlertRun, ComplaintRead, ComplaintHandle, SpotWrite, CaseRead, CaseWrite, ProjectRead, ProjectSign, SocialRead},
	Participant: {RegionRead},
}

// Permissions lists what a role may do (a copy: the table is not for changing at run time).
func Permissions(r Role) []Action { return slices.Clone(permissions[r]) }

// AllActions lists every action some role has, sorted.
func AllActions() []Action {
	var out []Action
	for _, as := range permissions {
		for _, a := range as {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	slices.Sort(out)
	return out
}
