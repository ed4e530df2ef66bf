package partners

import (
	"bytes"
	"strings"
	"testing"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// Every body the API decodes, fuzzed through the strict decoder and the service: whatever
// comes in, the answer is a success or a user error (never an internal one, never a panic),
// and a refused write leaves no row behind.

// fuzzInput decodes body into In and calls op; seeds are JSON bodies.
func fuzzInput[In any](f *testing.F, seeds []string, table string, op func(fx *fixture, p *auth.Principal, in In) error) {
	for _, s := range seeds {
		f.Add(s)
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, body string) {
		fx.t = t
		var in In
		if err := httpx.DecodeReader(strings.NewReader(body), &in); err != nil {
			if errs.CodeOf(err) == errs.Internal {
				t.Fatalf("decode %q: %v", body, err)
			}
			return
		}
		before := fx.count(`SELECT COUNT(*) FROM ` + table)
		err := op(fx, fx.office(), in)
		if err != nil && errs.CodeOf(err) == errs.Internal {
			t.Fatalf("%q: internal error %v", body, err)
		}
		if err != nil && fx.count(`SELECT COUNT(*) FROM `+table) != before {
			t.Fatalf("%q: refused (%v) but wrote", body, err)
		}
	})
}

func FuzzProviderInput(f *testing.F) {
	fuzzInput(f, []string{
		`{"kind":"law_firm","name":"律所","contact_person":"张三","phone":"13800001111","credit_code":"` + firmCode(1) + `","region_code":"320921000000","services":["法律咨询"]}`,
		`{"kind":"volunteer","name":"李四","phone":"13800001111","region_code":"320921100201"}`,
		`{"kind":"volunteer","name":"","phone":"1","region_code":"x","services":[""]}`,
		`{"kind":"law_firm","services":null,"credit_code":"91350100m000100y43"}`,
		`{"unknown":1}`, `[]`, `{"name":"\u0000"}`,
	}, "partner_providers", func(fx *fixture, p *auth.Principal, in ProviderInput) error {
		_, err := fx.S.CreateProvider(fx.Ctx, p, in)
		return err
	})
}

func FuzzProviderUpdate(f *testing.F) {
	fuzzInput(f, []string{`{"version":1,"services":["法律咨询"],"status":"inactive"}`, `{"version":0}`, `{"version":1,"phone":"123"}`,
		`{"version":1,"contact_person":""}`}, "partner_providers", func(fx *fixture, p *auth.Principal, in ProviderUpdate) error {
		v, err := fx.S.CreateProvider(fx.Ctx, p, firmInput(int(fx.count(`SELECT COUNT(*) FROM partner_providers`))+100))
		if err != nil {
			return nil // the set-up, not under test
		}
		_, err = fx.S.UpdateProvider(fx.Ctx, p, v.ID, in)
		if err != nil && fx.count(`SELECT version FROM partner_providers WHERE id = ?`, v.ID) != 1 {
			fx.t.Fatalf("refused update changed the provider: %v", err)
		}
		return nil
	})
}

func FuzzServiceInput(f *testing.F) {
	fuzzInput(f, []string{`{"region_code":"320921100201","served_on":"2026-07-01","service":"法律咨询","hours":1.5,"people":1}`,
		`{"region_code":"320921100201","household_id":-1,"served_on":"2026-13-01","service":"","hours":1e308,"people":-5}`,
		`{"hours":"x"}`, `{"region_code":"320922100201","served_on":"2026-07-01","service":"法律咨询","hours":24,"people":1}`},
		"partner_services", func(fx *fixture, p *auth.Principal, in ServiceInput) error {
			id := fx.count(`SELECT COALESCE(MIN(id), 0) FROM partner_providers`)
			if id == 0 {
				v, err := fx.S.CreateProvider(fx.Ctx, p, firmInput(1))
				if err != nil {
					fx.t.Fatal(err)
				}
				id = v.ID
			}
			_, err := fx.S.AddService(fx.Ctx, p, id, in)
			return err
		})
}

func FuzzDeputyInput(f *testing.F) {
	fuzzInput(f, []string{`{"kind":"npc","level":"town","name":"王","region_code":"320921100000"}`,
		`{"kind":"cppcc","level":"town","name":"王","region_code":"320921100000"}`, `{"kind":"npc","level":"national","name":"王","phone":"13700003333","unit":"x","region_code":"320921000000"}`},
		"partner_deputies", func(fx *fixture, p *auth.Principal, in DeputyInput) error {
			_, err := fx.S.CreateDeputy(fx.Ctx, p, in)
			return err
		})
}

func FuzzPairingInput(f *testing.F) {
	fuzzInput(f, []string{`{"kind":"enterprise","enterprise":"公司","credit_code":"` + firmCode(2) + `","village_code":"320921100201","since":"2026-01-01","pledged_yuan":"100.5"}`,
		`{"kind":"deputy","deputy_id":1,"village_code":"320921100201","since":"2026-01-01"}`,
		`{"kind":"deputy","deputy_id":-1,"enterprise":"x","village_code":"320921100000","since":"2030-01-01","pledged_yuan":"-1"}`},
		"partner_pairings", func(fx *fixture, p *auth.Principal, in PairingInput) error {
			if fx.count(`SELECT COUNT(*) FROM partner_deputies`) == 0 {
				fx.deputy("npc", "county", "王建国")
			}
			_, err := fx.S.CreatePairing(fx.Ctx, p, in)
			return err
		})
}

func FuzzActivityInput(f *testing.F) {
	fuzzInput(f, []string{`{"on_date":"2026-07-01","title":"走访","content":"x","value_yuan":"100","people":3}`,
		`{"on_date":"2025-01-01","title":"","value_yuan":"1e9","people":-1}`, `{"on_date":"2026-07-01","title":"x","pairing_id":1}`},
		"partner_activities", func(fx *fixture, p *auth.Principal, in ActivityInput) error {
			id := fx.count(`SELECT COALESCE(MIN(id), 0) FROM partner_pairings`)
			if id == 0 {
				d := fx.deputy("npc", "county", "王建国")
				pr, err := fx.S.CreatePairing(fx.Ctx, p, PairingInput{Kind: "deputy", DeputyID: &d.ID, VillageCode: villageA, Since: "2026-01-01"})
				if err != nil {
					fx.t.Fatal(err)
				}
				id = pr.ID
			}
			_, err := fx.S.AddActivity(fx.Ctx, p, id, in)
			return err
		})
}

func FuzzPairingEnd(f *testing.F) {
	fuzzInput(f, []string{`{"version":1,"until":"2026-07-01"}`, `{"version":1,"until":"2025-01-01"}`, `{"version":9,"until":"x"}`},
		"partner_pairings", func(fx *fixture, p *auth.Principal, in PairingEnd) error {
			d := fx.deputy("npc", "county", "王建国")
			v := []string{villageA, villageA2, villageB}[fx.count(`SELECT COUNT(*) FROM partner_pairings`)%3]
			pr, err := fx.S.CreatePairing(fx.Ctx, p, PairingInput{Kind: "deputy", DeputyID: &d.ID, VillageCode: v, Since: "2026-01-01"})
			if err != nil {
				fx.t.Fatal(err)
			}
			_, err = fx.S.EndPairing(fx.Ctx, p, pr.ID, in)
			if err != nil && fx.count(`SELECT COUNT(*) FROM partner_pairings WHERE id = ? AND status = 'active' AND version = 1`, pr.ID) != 1 {
				fx.t.Fatalf("refused end changed the pairing: %v", err)
			}
			return nil
		})
}

func FuzzEntrepreneurInput(f *testing.F) {
	fuzzInput(f, []string{`{"name":"陈","hometown_code":"320921100201","works_in":"上海","industry":"光伏","capital":true,"capital_yuan":"100"}`,
		`{"name":"陈","hometown_code":"320921000000","works_in":"","capital":false,"capital_yuan":"5"}`, `{"capital":"yes"}`},
		"partner_entrepreneurs", func(fx *fixture, p *auth.Principal, in EntrepreneurInput) error {
			_, err := fx.S.CreateEntrepreneur(fx.Ctx, p, in)
			return err
		})
}

func FuzzMatchInput(f *testing.F) {
	fuzzInput(f, []string{`{"project_id":1,"note":"x"}`, `{"project_id":-1}`, `{"project_id":99999}`},
		"partner_matches", func(fx *fixture, p *auth.Principal, in MatchInput) error {
			if fx.count(`SELECT COUNT(*) FROM projects`) == 0 {
				fx.project("光伏电站", "village", villageA, "")
			}
			e, err := fx.S.CreateEntrepreneur(fx.Ctx, p, EntrepreneurInput{Name: "陈", HometownCode: villageA, WorksIn: "上海"})
			if err != nil {
				fx.t.Fatal(err)
			}
			_, err = fx.S.CreateMatch(fx.Ctx, p, e.ID, in)
			return err
		})
}

func FuzzMatchUpdate(f *testing.F) {
	fuzzInput(f, []string{`{"version":1,"status":"contacted","note":"x"}`, `{"version":1,"status":"agreed"}`, `{"version":2,"status":"nope"}`, `{"version":0}`},
		"partner_matches", func(fx *fixture, p *auth.Principal, in MatchUpdate) error {
			pid := fx.count(`SELECT COALESCE(MIN(id), 0) FROM projects`)
			if pid == 0 {
				pid = fx.project("光伏电站", "village", villageA, "")
			}
			e, err := fx.S.CreateEntrepreneur(fx.Ctx, p, EntrepreneurInput{Name: "陈", HometownCode: villageA, WorksIn: "上海"})
			if err != nil {
				fx.t.Fatal(err)
			}
			m, err := fx.S.CreateMatch(fx.Ctx, p, e.ID, MatchInput{ProjectID: pid})
			if err != nil {
				fx.t.Fatal(err)
			}
			_, err = fx.S.UpdateMatch(fx.Ctx, p, m.ID, in)
			if err != nil && fx.count(`SELECT version FROM partner_matches WHERE id = ?`, m.ID) != 1 {
				fx.t.Fatalf("refused update changed the match: %v", err)
			}
			return nil
		})
}

// FuzzFilter: the list filters come from query strings.
func FuzzFilter(f *testing.F) {
	f.Add("320921000000", "law_firm", "active", "town", "capital", "律所%_\\")
	f.Add("x", "", "", "", "nope", strings.Repeat("长", 60))
	f.Add("320922000000", "npc", "ended", "village", "", "")
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, region, kind, status, level, willing, q string) {
		fx.t = t
		p := fx.office()
		flt := Filter{Region: region, Kind: kind, Status: status, Level: level, Willing: willing, Q: q}
		for name, call := range map[string]func() error{
			"providers":     func() error { _, err := fx.S.Providers(fx.Ctx, p, flt); return err },
			"deputies":      func() error { _, err := fx.S.Deputies(fx.Ctx, p, flt); return err },
			"pairings":      func() error { _, err := fx.S.Pairings(fx.Ctx, p, flt); return err },
			"entrepreneurs": func() error { _, err := fx.S.Entrepreneurs(fx.Ctx, p, flt); return err },
		} {
			if err := call(); errs.CodeOf(err) == errs.Internal {
				t.Fatalf("%s %+v: %v", name, flt, err)
			}
		}
	})
}

// the public page's code and the CSV's region come from the URL.
func FuzzPublicCode(f *testing.F) {
	for _, s := range []string{"320921000000", "320921100201", "320900000000", "", "32092110020x", "999999999999"} {
		f.Add(s)
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, code string) {
		fx.t = t
		b, err := fx.S.ForcesPageJSON(fx.Ctx, code)
		if errs.CodeOf(err) == errs.Internal || err == nil && !bytes.HasPrefix(b, []byte(`{"code":"`+code)) {
			t.Fatalf("%q: %v %s", code, err, b)
		}
		if _, err := fx.S.ForcesCSV(fx.Ctx, code); errs.CodeOf(err) == errs.Internal {
			t.Fatalf("csv %q: %v", code, err)
		}
	})
}
