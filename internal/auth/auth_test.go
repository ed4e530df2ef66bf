package auth

import (
	"testing"

	"sunshine/internal/errs"
)

func TestEveryRoleHasATableRow(t *testing.T) {
	for _, r := range Roles {
		if _, ok := permissions[r]; !ok {
			t.Errorf("role %s missing from the permission table", r)
		}
		if RoleLabels[r] == "" {
			t.Errorf("role %s has no label", r)
		}
	}
	if len(permissions) != len(Roles) {
		t.Errorf("permission table has %d roles, Roles lists %d", len(permissions), len(Roles))
	}
}

func TestRequireIn(t *testing.T) {
	county := &Principal{Role: PovertyOffice, Scope: "320921000000"}
	if err := county.RequireIn(HouseholdRead, "320921101203"); err != nil {
		t.Errorf("own village: %v", err)
	}
	if err := county.RequireIn(HouseholdRead, "320922101203"); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("other county: %v", err)
	}
	if err := county.RequireIn(UserWrite, "320921101203"); errs.CodeOf(err) != errs.Forbidden {
		t.Errorf("missing permission: %v", err)
	}
	var nobody *Principal
	if err := nobody.Require(RegionRead); errs.CodeOf(err) != errs.Unauthorized {
		t.Errorf("nil principal: %v", err)
	}
}
