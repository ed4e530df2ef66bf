package crosscheck

import (
	"slices"
	"strings"
	"sync"

	"sunshine/internal/tabular"
)

// Column indexes shared by every kind.
const (
	colID   = 0
	colName = 1
)

// Column indexes per kind (positions in KindSpec.Columns).
const (
	vehPlate, vehType, vehRegistered, vehValue = 2, 3, 4, 5
	farmType, farmRegistered, farmValue        = 2, 3, 4
	siType, siEmployer, siBase, siFrom, siTo   = 2, 3, 4, 5, 6
	hfEmployer, hfMonthly, hfBalance, hfAsOf   = 2, 3, 4, 5
	taxYear, taxIncome, taxPaid                = 2, 3, 4
	reID, reAddress, reUse, reArea, reRegOn    = 2, 3, 4, 5, 6
	depBank, depBalance, depAsOf               = 2, 3, 4
	secBroker, secValue, secAsOf               = 2, 3, 4
	bizName, bizCode, bizRole, bizCapital      = 2, 3, 4, 5
	peEmployer, pePosition, peFrom, peTo       = 2, 3, 4, 5
	deathDate                                  = 2
	crCadreID, crCadreName, crPosition, crRel  = 2, 3, 4, 5
)

var idColumn = Column{Name: "id_number", Label: "身份证号", Required: true, Aliases: []string{
	"身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "居民身份证号码", "身份证件号码", "证件号码", "证件号",
	"身份证", "证照号码", "证件号码(身份证)",
}}

var nameColumn = Column{Name: "name", Label: "姓名", Required: true, Aliases: []string{
	"姓名", "人员姓名", "户名", "客户姓名", "客户名称",
}}

// Kinds returns the column specs of all twelve dataset kinds.
func Kinds() []KindSpec {
	kindsOnce.Do(buildKinds)
	return kindList
}

// SpecOf returns the spec of a kind; ok is false for an unknown kind.
func SpecOf(k Kind) (KindSpec, bool) {
	kindsOnce.Do(buildKinds)
	s, ok := kindByName[k]
	return s, ok
}

var (
	kindsOnce  sync.Once
	kindList   []KindSpec
	kindByName map[Kind]KindSpec
)

func buildKinds() {
	date := func(name, label string, required bool, aliases ...string) Column {
		return Column{Name: name, Label: label, Type: Date, Required: required, Aliases: aliases}
	}
	yuan := func(name, label string, required bool, aliases ...string) Column {
		return Column{Name: name, Label: label, Type: Money, Required: required, Aliases: moneyAliases(aliases)}
	}
	text := func(name, label string, required bool, aliases ...string) Column {
		return Column{Name: name, Label: label, Required: required, Aliases: aliases}
	}
	kindList = []KindSpec{
		{Kind: KindVehicle, Label: "机动车登记", Columns: []Column{
			idColumn, withNames(nameColumn, "所有人", "机动车所有人", "车主", "车主姓名", "所有人姓名"),
			text("plate_no", "号牌号码", false, "号牌号码", "车牌号", "车牌号码", "号牌", "车牌"),
			{Name: "vehicle_type", Label: "车辆类型", Type: Enum, Required: true,
				Aliases: []string{"车辆类型", "车辆种类", "车型", "机动车类型", "车辆类别"},
				Values:  []string{"car", "truck", "van", "motorcycle", "ebike", "farm", "disabled"},
				ValueLabels: map[string]string{"car": "小型汽车", "truck": "货车", "van": "面包车", "motorcycle": "摩托车",
					"ebike": "电动自行车", "farm": "农用车", "disabled": "残疾人专用车"},
				ValueAliases: map[string]string{
					"小型轿车": "car", "轿车": "car", "小型汽车": "car", "小型普通客车": "car", "小型客车": "car", "中型客车": "car",
					"大型客车": "car", "客车": "car", "越野车": "car", "小型越野客车": "car", "微型轿车": "car", "汽车": "car",
					"货车": "truck", "重型货车": "truck", "中型货车": "truck", "轻型货车": "truck", "微型货车": "truck",
					"载货汽车": "truck", "重型半挂牵引车": "truck", "牵引车": "truck", "专项作业车": "truck",
					"面包车": "van", "小型面包车": "van", "微型面包车": "van", "厢式货车": "van", "轻型厢式货车": "van",
					"摩托车": "motorcycle", "普通二轮摩托车": "motorcycle", "普通三轮摩托车": "motorcycle", "轻便二轮摩托车": "motorcycle",
					"轻便摩托车": "motorcycle", "三轮摩托车": "motorcycle", "二轮摩托车": "motorcycle",
					"电动自行车": "ebike", "电动车": "ebike", "电瓶车": "ebike", "电动摩托车": "ebike",
					"拖拉机": "farm", "农用车": "farm", "农用运输车": "farm", "三轮汽车": "farm", "低速货车": "farm",
					"低速汽车": "farm", "轮式拖拉机": "farm", "手扶拖拉机": "farm", "变型拖拉机": "farm",
					"残疾人机动轮椅车": "disabled", "残疾人专用车": "disabled", "残疾人专用汽车": "disabled", "残疾人车": "disabled",
				}},
			date("registered_on", "登记日期", false, "登记日期", "初次登记日期", "注册登记日期", "注册日期", "初登日期"),
			yuan("value_yuan", "价值", false, "价值", "车辆价值", "购置价格", "评估价值", "车辆价格", "购车价格"),
		}},
		{Kind: KindFarmMachinery, Label: "农机登记", Columns: []Column{
			idColumn, withNames(nameColumn, "所有人", "机主", "机主姓名", "所有人姓名"),
			text("machine_type", "机具类型", true, "机具类型", "机械类型", "农机类型", "机具名称", "机具品目", "机型"),
			date("registered_on", "登记日期", false, "登记日期", "注册日期", "初次登记日期", "购置日期"),
			yuan("value_yuan", "价值", true, "价值", "机具价值", "购置价格", "评估价值", "价格"),
		}},
		{Kind: KindSocialInsur, Label: "社会保险参保缴费", Columns: []Column{
			idColumn, withNames(nameColumn, "参保人", "参保人姓名"),
			{Name: "insurance_type", Label: "险种", Type: Enum, Required: true,
				Aliases: []string{"险种", "险种类型", "参保险种", "保险类型", "险种名称"},
				Values:  []string{"employee_pension", "employee_medical", "resident_pension", "resident_medical"},
				ValueLabels: map[string]string{"employee_pension": "职工基本养老保险", "employee_medical": "职工基本医疗保险",
					"resident_pension": "城乡居民基本养老保险", "resident_medical": "城乡居民基本医疗保险"},
				ValueAliases: map[string]string{
					"职工基本养老保险": "employee_pension", "企业职工基本养老保险": "employee_pension", "城镇职工基本养老保险": "employee_pension",
					"职工养老保险": "employee_pension", "职工养老": "employee_pension", "机关事业单位养老保险": "employee_pension",
					"机关事业单位基本养老保险": "employee_pension", "企业养老保险": "employee_pension",
					"职工基本医疗保险": "employee_medical", "城镇职工基本医疗保险": "employee_medical", "职工医保": "employee_medical",
					"职工医疗保险":     "employee_medical",
					"城乡居民基本养老保险": "resident_pension", "城乡居民养老保险": "resident_pension", "居民养老保险": "resident_pension",
					"城乡居民养老": "resident_pension", "新农保": "resident_pension",
					"城乡居民基本医疗保险": "resident_medical", "城乡居民医疗保险": "resident_medical", "居民医保": "resident_medical",
					"城乡居民医保": "resident_medical", "新农合": "resident_medical",
				}},
			text("employer", "参保单位", false, "参保单位", "单位名称", "工作单位", "缴费单位"),
			yuan("monthly_base_yuan", "月缴费基数", false, "月缴费基数", "缴费基数", "缴费工资"),
			date("period_from", "缴费起始", true, "缴费起始日期", "缴费开始日期", "起始日期", "开始日期", "缴费起始年月", "起始年月", "参保日期", "缴费起始"),
			date("period_to", "缴费终止", false, "缴费终止日期", "缴费截止日期", "终止日期", "截止日期", "结束日期", "缴费终止年月", "终止年月", "缴费终止"),
		}},
		{Kind: KindHousingFund, Label: "住房公积金缴存", Columns: []Column{
			idColumn, withNames(nameColumn, "职工姓名", "缴存人"),
			text("employer", "缴存单位", false, "缴存单位", "单位名称", "工作单位"),
			yuan("monthly_deposit_yuan", "月缴存额", true, "月缴存额", "月缴额", "缴存额"),
			yuan("balance_yuan", "账户余额", false, "账户余额", "余额", "公积金余额"),
			date("as_of", "截至日期", false, "截至日期", "截止日期", "统计日期", "余额日期", "最后缴存日期"),
		}},
		{Kind: KindTax, Label: "个人所得税", Columns: []Column{
			idColumn, withNames(nameColumn, "纳税人姓名", "纳税人名称"),
			{Name: "tax_year", Label: "纳税年度", Type: Int, Required: true, Aliases: []string{"纳税年度", "年度", "所属年度", "税款所属年度"}},
			yuan("taxable_income_yuan", "应纳税所得额", true, "应纳税所得额", "应税所得", "收入额", "应税收入", "年收入"),
			yuan("tax_paid_yuan", "已缴税额", false, "已缴税额", "实缴税额", "已缴纳税额", "税额", "应纳税额"),
		}},
		{Kind: KindRealEstate, Label: "不动产登记", Columns: []Column{
			idColumn, withNames(nameColumn, "权利人", "权利人姓名", "产权人", "所有权人"),
			text("property_id", "不动产权证号", false, "不动产权证号", "不动产单元号", "产权证号", "房产证号", "不动产权证书号"),
			text("address", "坐落", false, "坐落", "房屋坐落", "地址", "不动产坐落"),
			{Name: "use", Label: "用途", Type: Enum, Required: true,
				Aliases: []string{"用途", "房屋用途", "规划用途", "不动产用途"},
				Values:  []string{"residential", "commercial", "office", "garage", "other"},
				ValueLabels: map[string]string{"residential": "住宅", "commercial": "商业用房", "office": "办公用房",
					"garage": "车库", "other": "其他房产"},
				ValueAliases: map[string]string{
					"住宅": "residential", "成套住宅": "residential", "住房": "residential", "普通住宅": "residential",
					"非成套住宅": "residential", "别墅": "residential", "公寓": "residential", "住宅用房": "residential",
					"商业": "commercial", "商铺": "commercial", "商服": "commercial", "商业服务": "commercial", "商业用房": "commercial",
					"商业服务业": "commercial", "门面": "commercial", "店面": "commercial",
					"办公": "office", "办公用房": "office", "写字楼": "office",
					"车库": "garage", "车位": "garage", "汽车库": "garage", "停车位": "garage",
					"其他": "other", "工业": "other", "仓储": "other", "厂房": "other", "储藏室": "other",
				}},
			{Name: "area_m2", Label: "建筑面积", Type: Float, Aliases: []string{"建筑面积", "面积", "建筑面积(平方米)", "建筑面积(㎡)", "面积(平方米)", "面积(㎡)"}},
			date("registered_on", "登记日期", false, "登记日期", "登簿日期", "登记时间"),
		}},
		{Kind: KindDeposit, Label: "银行存款", Columns: []Column{
			idColumn, withNames(nameColumn, "账户名称", "存款人"),
			text("bank", "开户银行", false, "开户银行", "开户行", "银行", "银行名称", "金融机构", "金融机构名称"),
			yuan("balance_yuan", "存款余额", true, "存款余额", "余额", "账户余额"),
			date("as_of", "余额日期", false, "余额日期", "截至日期", "截止日期", "查询日期", "统计日期"),
		}},
		{Kind: KindSecurities, Label: "证券资产", Columns: []Column{
			idColumn, withNames(nameColumn, "投资者姓名", "账户名称"),
			text("broker", "证券公司", false, "证券公司", "开户券商", "券商", "机构名称"),
			yuan("market_value_yuan", "证券市值", true, "证券市值", "市值", "持仓市值", "资产市值", "资产总值"),
			date("as_of", "市值日期", false, "市值日期", "截至日期", "截止日期", "查询日期", "统计日期"),
		}},
		{Kind: KindBusiness, Label: "市场主体登记", Columns: []Column{
			idColumn, withNames(nameColumn, "人员姓名", "投资人", "投资人姓名"),
			text("company_name", "企业名称", true, "企业名称", "公司名称", "市场主体名称", "主体名称"),
			text("credit_code", "统一社会信用代码", false, "统一社会信用代码", "信用代码", "注册号"),
			{Name: "role", Label: "身份", Type: Enum, Required: true,
				Aliases: []string{"身份", "职务", "角色", "人员类型", "人员身份"},
				Values:  []string{"legal_rep", "shareholder", "sole_proprietor"},
				ValueLabels: map[string]string{"legal_rep": "法定代表人", "shareholder": "股东",
					"sole_proprietor": "个体工商户经营者"},
				ValueAliases: map[string]string{
					"法定代表人": "legal_rep", "法人": "legal_rep", "法人代表": "legal_rep", "执行事务合伙人": "legal_rep",
					"负责人": "legal_rep",
					"股东":  "shareholder", "投资人": "shareholder", "出资人": "shareholder", "合伙人": "shareholder",
					"个体工商户经营者": "sole_proprietor", "经营者": "sole_proprietor", "个体户": "sole_proprietor",
					"个体工商户": "sole_proprietor",
				}},
			yuan("registered_capital_yuan", "注册资本", false, "注册资本", "注册资金", "认缴出资额", "出资额"),
		}},
		{Kind: KindPublicEmployee, Label: "财政供养人员", Columns: []Column{
			idColumn, nameColumn,
			text("employer", "工作单位", true, "工作单位", "单位名称", "所在单位"),
			text("position", "职务", false, "职务", "岗位", "职务(岗位)"),
			date("from_date", "入职日期", false, "入职日期", "参加工作时间", "参加工作日期", "起始日期", "开始日期", "任职日期"),
			date("to_date", "离职日期", false, "离职日期", "离职时间", "终止日期", "结束日期", "退休日期"),
		}},
		{Kind: KindDeath, Label: "死亡人员", Columns: []Column{
			idColumn, withNames(nameColumn, "死者姓名", "死亡人员姓名"),
			date("death_date", "死亡日期", true, "死亡日期", "死亡时间", "注销日期"),
		}},
		{Kind: KindCadreRelative, Label: "干部及近亲属", Columns: []Column{
			withNames(idColumn, "亲属身份证号", "亲属身份证号码", "人员身份证号"),
			withNames(nameColumn, "亲属姓名"),
			text("cadre_id_number", "干部身份证号", true, "干部身份证号", "干部身份证号码", "干部证件号码"),
			text("cadre_name", "干部姓名", true, "干部姓名"),
			text("cadre_position", "干部职务", false, "干部职务", "干部职位", "干部单位及职务"),
			{Name: "relation", Label: "关系", Type: Enum, Required: true,
				Aliases: []string{"关系", "与干部关系", "亲属关系", "称谓"},
				Values:  []string{"self", "spouse", "parent", "child", "sibling", "in_law"},
				ValueLabels: map[string]string{"self": "本人", "spouse": "配偶", "parent": "父母", "child": "子女",
					"sibling": "兄弟姐妹", "in_law": "姻亲"},
				ValueAliases: map[string]string{
					"本人": "self", "配偶": "spouse", "妻子": "spouse", "丈夫": "spouse", "夫妻": "spouse",
					"父母": "parent", "父亲": "parent", "母亲": "parent",
					"子女": "child", "儿子": "child", "女儿": "child", "子": "child", "女": "child",
					"兄弟姐妹": "sibling", "兄弟": "sibling", "姐妹": "sibling", "哥哥": "sibling", "弟弟": "sibling",
					"姐姐": "sibling", "妹妹": "sibling",
					"姻亲": "in_law", "岳父": "in_law", "岳母": "in_law", "公公": "in_law", "婆婆": "in_law",
					"儿媳": "in_law", "女婿": "in_law", "配偶父母": "in_law", "子女配偶": "in_law",
				}},
		}},
	}
	kindByName = make(map[Kind]KindSpec, len(kindList))
	for _, s := range kindList {
		for i := range s.Columns {
			c := &s.Columns[i]
			if c.Type != Enum {
				continue
			}
			c.lookup = make(map[string]int, len(c.Values)+len(c.ValueAliases))
			for j, v := range c.Values {
				c.lookup[v] = j
			}
			for a, v := range c.ValueAliases {
				c.lookup[a] = slices.Index(c.Values, v)
			}
		}
		kindByName[s.Kind] = s
	}
}

// withNames returns c with more header aliases (a kind's own words for
// the same column: 车主 for a vehicle's owner).
func withNames(c Column, more ...string) Column {
	c.Aliases = append(append([]string(nil), c.Aliases...), more...)
	return c
}

// moneyAliases adds the unit spellings of every alias: 价值(元), 价值(万元).
func moneyAliases(aliases []string) []string {
	out := make([]string, 0, 3*len(aliases))
	for _, a := range aliases {
		out = append(out, a, a+"(元)", a+"(万元)")
	}
	return out
}

// schema is the tabular schema of a kind, for header matching.
func (s KindSpec) schema() tabular.Schema {
	cols := make([]tabular.Column, len(s.Columns))
	for i, c := range s.Columns {
		cols[i] = tabular.Column{Name: c.Name, Aliases: c.Aliases, Required: c.Required}
	}
	return tabular.Schema{Columns: cols}
}

// index returns the position of the column named name, -1 when absent.
func (s KindSpec) index(name string) int {
	for i, c := range s.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// enumIndex folds v (canonical value or a Chinese alias) to the index of
// its canonical value, -1 when it is not known.
func (c *Column) enumIndex(v string) int {
	if i, ok := c.lookup[v]; ok {
		return i // the text as written: no folding needed
	}
	k := strings.ToLower(strings.Join(strings.Fields(v), ""))
	for i, x := range c.Values {
		if k == x {
			return i
		}
	}
	if x, ok := c.ValueAliases[k]; ok {
		for i, y := range c.Values {
			if x == y {
				return i
			}
		}
	}
	return -1
}

// display is how a value of the column is shown in explanations: the
// Chinese label of a canonical value, else the text as the file has it.
func (c *Column) display(v string) string {
	if l, ok := c.ValueLabels[v]; ok {
		return l
	}
	return v
}
