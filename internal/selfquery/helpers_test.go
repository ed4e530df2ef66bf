package selfquery

// The fixture of the selfquery tests: the shared tiny city (internal/testcity) and f.S, the own-household query over it; heads have passbook account numbers.
// f.exec, f.count and f.user are the city's Exec, Count and User under the names the tests use.

import (
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/testcity"
)

const (
	cityCode    = testcity.CityCode
	countyCode  = testcity.CountyCode
	otherCode   = testcity.OtherCode
	villageA    = testcity.VillageA
	villageB    = testcity.VillageB
	villageOth  = testcity.VillageOth
	villageOth2 = testcity.VillageOth2
)

type fixture struct {
	*testcity.Fixture
	t testing.TB
	S *Service
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	c := testcity.New(t, testcity.Options{Accounts: true})
	f := &fixture{Fixture: c, t: t}
	f.S = &Service{DB: c.DB}
	return f
}

func (f *fixture) user(username string) *auth.Principal { return f.User(username) }
func (f *fixture) exec(q string, args ...any)           { f.t.Helper(); f.Exec(q, args...) }
func (f *fixture) count(q string, args ...any) int64    { f.t.Helper(); return f.Count(q, args...) }
