// Package region is the administrative tree (city → county → town → village) with the
// village designations the work is organised around: economically weak villages (经济薄弱村)
// and villages with weak party organisation (软弱涣散村), and the area (片区) they belong to.
package region

import (
	"time"
	"unicode/utf8"

	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// WeakLevel is who designated a village as economically weak; "" for none.
type WeakLevel string

const (
	NotWeak     WeakLevel = ""
	Province200 WeakLevel = "province_200" // province-designated, 2,000,000 yuan subsidy
	Province60  WeakLevel = "province_60"  // province-designated, 600,000 yuan subsidy
	CityWeak    WeakLevel = "city"
	CountyWeak  WeakLevel = "county"
)

// Valid reports whether w is a known designation.
func (w WeakLevel) Valid() bool {
	switch w {
	case NotWeak, Province200, Province60, CityWeak, CountyWeak:
		return true
	}
	return false
}

// Region is one node of the tree.
type Region struct {
	Code          string           `json:"code"`
	Name          string           `json:"name"`
	Level         regioncode.Level `json:"level"`
	ParentCode    string           `json:"parent_code"`
	WeakLevel     WeakLevel        `json:"weak_level"`
	WeakLax       bool             `json:"weak_lax"`
	Area          string           `json:"area"`
	ChildrenCount int              `json:"children_count"`
	UpdatedAt     time.Time        `json:"updated_at"`
}

// auditView is what the trail keeps of a region.
func (r Region) auditView() map[string]any {
	return map[string]any{"name": r.Name, "weak_level": r.WeakLevel, "weak_lax": r.WeakLax, "area": r.Area}
}

// Patch changes a region's name or designations; nil means unchanged.
type Patch struct {
	Name      *string    `json:"name"`
	WeakLevel *WeakLevel `json:"weak_level"`
	WeakLax   *bool      `json:"weak_lax"`
	Area      *string    `json:"area"`
}

func (p *Patch) apply(r Region) (Region, error) {
	v := errs.Validation{}
	if p.Name != nil {
		if n := utf8.RuneCountInString(*p.Name); n < 1 || n > 50 {
			v.Add("name", "名称须为 1-50 个字符")
		}
		r.Name = *p.Name
	}
	if p.WeakLevel != nil {
		if !p.WeakLevel.Valid() {
			v.Add("weak_level", "应为 province_200、province_60、city、county 或空")
		} else if *p.WeakLevel != NotWeak && r.Level != regioncode.Village {
			v.Add("weak_level", "只有行政村可以认定为经济薄弱村")
		}
		r.WeakLevel = *p.WeakLevel
	}
	if p.WeakLax != nil {
		if *p.WeakLax && r.Level != regioncode.Village {
			v.Add("weak_lax", "只有行政村可以认定为软弱涣散村")
		}
		r.WeakLax = *p.WeakLax
	}
	if p.Area != nil {
		if utf8.RuneCountInString(*p.Area) > 50 {
			v.Add("area", "片区名称不能超过 50 个字符")
		}
		r.Area = *p.Area
	}
	return r, v.Err()
}

// Validate checks a region as loaded from a file or the demo generator.
func (r Region) Validate() error {
	v := errs.Validation{}
	if !regioncode.Valid(r.Code) {
		v.Add("code", "区划代码须为 12 位数字")
	} else {
		l := regioncode.LevelOf(r.Code)
		if l == regioncode.Province {
			v.Add("code", "不支持省级区划")
		}
		if r.Level != "" && r.Level != l {
			v.Add("level", "层级与代码不符(代码表示 "+string(l)+")")
		}
	}
	if n := utf8.RuneCountInString(r.Name); n < 1 || n > 50 {
		v.Add("name", "名称须为 1-50 个字符")
	}
	if !r.WeakLevel.Valid() {
		v.Add("weak_level", "未知的薄弱村类别")
	}
	return v.Err()
}
