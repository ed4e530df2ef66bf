package partners

import (
	"slices"
	"testing"
)

func TestScore(t *testing.T) {
	home := Entrepreneur{HometownCode: villageA, Industry: "农产品加工、光伏"}
	capital := home
	capital.Capital = true
	project := home
	project.Project = true
	for _, c := range []struct {
		name    string
		e       Entrepreneur
		pr      ProjectRef
		score   int
		reasons []string
	}{
		{"same village is same town", home, ProjectRef{Kind: "household", RegionCode: villageA}, 3, []string{"同乡(同镇)"}},
		{"same town (town project)", home, ProjectRef{Kind: "household", RegionCode: townA}, 3, []string{"同乡(同镇)"}},
		{"other town of the county", home, ProjectRef{Kind: "household", RegionCode: villageB}, 2, []string{"同乡(同县)"}},
		{"county project", home, ProjectRef{Kind: "household", RegionCode: countyCode}, 2, []string{"同乡(同县)"}},
		{"other county", home, ProjectRef{Kind: "household", RegionCode: villageOth}, 0, []string{}},
		{"capital ↔ carrier", capital, ProjectRef{Kind: "carrier", RegionCode: villageOth}, 2, []string{"意向:资金"}},
		{"capital ↔ village income", capital, ProjectRef{Kind: "village", RegionCode: villageOth}, 2, []string{"意向:资金"}},
		{"capital ↛ household", capital, ProjectRef{Kind: "household", RegionCode: villageOth}, 0, []string{}},
		{"project ↔ household", project, ProjectRef{Kind: "household", RegionCode: villageOth}, 1, []string{"意向:项目"}},
		{"project ↛ carrier", project, ProjectRef{Kind: "carrier", RegionCode: villageOth}, 0, []string{}},
		{"industry in the name", home, ProjectRef{Name: "村级光伏电站", Kind: "village", RegionCode: villageOth}, 2, []string{"行业相近:光伏"}},
		{"industry in the mechanism", home, ProjectRef{Name: "扶贫车间", BenefitMechanism: "农产品加工务工", Kind: "carrier", RegionCode: villageOth}, 2, []string{"行业相近:农产品加工"}},
		{"industry counted once", home, ProjectRef{Name: "光伏农产品加工园", Kind: "carrier", RegionCode: villageOth}, 2, []string{"行业相近:农产品加工"}},
		{"everything", capital, ProjectRef{Name: "光伏电站", Kind: "village", RegionCode: villageA2}, 7, []string{"同乡(同镇)", "意向:资金", "行业相近:光伏"}},
	} {
		s, why := Score(c.e, c.pr)
		if s != c.score || !slices.Equal(why, c.reasons) {
			t.Errorf("%s: %d %v, want %d %v", c.name, s, why, c.score, c.reasons)
		}
	}
}

// Near misses: moving the project one town over costs one point; flipping the willingness
// to bring capital changes the score by exactly its points.
func TestScoreNearMisses(t *testing.T) {
	e := Entrepreneur{HometownCode: villageA, Capital: true}
	same, _ := Score(e, ProjectRef{Kind: "carrier", RegionCode: villageA2})
	other, _ := Score(e, ProjectRef{Kind: "carrier", RegionCode: villageB})
	if same-other != PointsSameTown-PointsSameCounty {
		t.Fatalf("same town %d, other town %d", same, other)
	}
	e.Capital = false
	without, _ := Score(e, ProjectRef{Kind: "carrier", RegionCode: villageA2})
	if same-without != PointsCapital {
		t.Fatalf("with capital %d, without %d", same, without)
	}
}

func TestRank(t *testing.T) {
	e := Entrepreneur{HometownCode: villageA, Capital: true}
	var prs []ProjectRef
	for i := 1; i <= 30; i++ {
		region := villageOth
		if i%3 == 0 {
			region = villageA
		}
		prs = append(prs, ProjectRef{ID: int64(i), Kind: "carrier", RegionCode: region})
	}
	prs = append(prs, ProjectRef{ID: 99, Kind: "household", RegionCode: villageOth}) // no reason
	got := rank(e, prs)
	if len(got) != MaxSuggestions {
		t.Fatalf("%d suggestions", len(got))
	}
	if got[0].ref.ID != 3 || got[0].score != 5 || got[9].ref.ID != 30 || got[10].score != 2 || got[10].ref.ID != 1 {
		t.Fatalf("order: %+v", got[:11])
	}
	for _, s := range got {
		if s.ref.ID == 99 {
			t.Fatal("a project without a reason was suggested")
		}
	}
}

func TestIndustryWords(t *testing.T) {
	if got := industryWords("农产品加工、电子商务, 光伏/物流 和 养殖 a 光伏"); !slices.Equal(got, []string{"农产品加工", "电子商务", "光伏", "物流", "养殖"}) {
		t.Fatalf("%v", got)
	}
}
