package giving

import (
	"context"
	"io"
	"strconv"

	"sunshine/internal/money"
	"sunshine/internal/tabular"
)

// Open data (开放数据): the public lists as CSV, UTF-8 with a BOM and Chinese headers, masked
// like the JSON; tabular's writer neutralises cells that a spreadsheet would run as formulas.
var (
	NeedColumns = []string{"心愿编号", "所在村", "户主", "标题", "内容", "类型", "目标金额(元)", "物资或服务", "状态",
		"已认捐(元)", "已实现(元)", "发布日期", "截止日期", "实现日期"}
	DonationColumns = []string{"收据号", "捐赠人", "类型", "受捐区划", "金额(元)", "物资", "数量", "估值(元)", "接收日期", "用途",
		"已发放到户(元)", "已发放数量", "受益户数"}
)

var (
	kindLabels   = map[string]string{"money": "资金", "goods": "物资", "service": "服务"}
	statusLabels = map[string]string{"open": "待认领", "pledged": "已认捐", "fulfilled": "已实现", "closed": "已关闭"}
)

// NeedsCSV writes the public needs of a region.
func (s *Service) NeedsCSV(ctx context.Context, w io.Writer, code string) error {
	items, err := s.PublicNeeds(ctx, code, "")
	if err != nil {
		return err
	}
	tw, err := tabular.NewCSVWriter(w, NeedColumns)
	if err != nil {
		return err
	}
	for _, n := range items {
		fulfilled := ""
		if n.FulfilledOn != nil {
			fulfilled = *n.FulfilledOn
		}
		if err := tw.Write([]string{n.Code, n.RegionName, n.HeadName, n.Title, n.Content, kindLabels[n.Kind], money.FormatPlain(n.TargetFen),
			n.Goods, statusLabels[n.Status], money.FormatPlain(n.PledgedFen), money.FormatPlain(n.DonatedFen), n.PublishedOn, n.Deadline, fulfilled}); err != nil {
			return err
		}
	}
	return tw.Close()
}

// DonationsCSV writes the public donations of a region.
func (s *Service) DonationsCSV(ctx context.Context, w io.Writer, code string) error {
	items, _, err := s.PublicDonations(ctx, code)
	if err != nil {
		return err
	}
	tw, err := tabular.NewCSVWriter(w, DonationColumns)
	if err != nil {
		return err
	}
	for _, d := range items {
		if err := tw.Write([]string{d.ReceiptNo, d.DonorName, kindLabels[d.Kind], d.RegionName, money.FormatPlain(d.AmountFen), d.Goods,
			strconv.FormatInt(d.Quantity, 10), money.FormatPlain(d.ValueFen), d.ReceivedOn, d.Purpose, money.FormatPlain(d.DisbursedFen),
			strconv.FormatInt(d.DeliveredQty, 10), strconv.FormatInt(d.Households, 10)}); err != nil {
			return err
		}
	}
	return tw.Close()
}
