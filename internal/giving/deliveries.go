package giving

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/registry"
)

// CreateDelivery records goods of a donation handed to a household, with the signed receipt
// (签收单) when one is uploaded (file nil: none). The total delivered stays within the
// donation's quantity: the donation row is locked (its version bumped) before the total is read.
func (s *Service) CreateDelivery(ctx context.Context, p *auth.Principal, donationID int64, in DeliveryInput, file *registry.Attachment, data []byte) (Delivery, error) {
	if err := p.Require(auth.SocialWrite); err != nil {
		return Delivery{}, err
	}
	today := s.today()
	v := errs.Validation{}
	if in.HouseholdID <= 0 {
		v.Add("household_id", "请选择农户")
	}
	if in.Quantity <= 0 || in.Quantity > MaxQuantity {
		v.Add("quantity", fmt.Sprintf("数量应为 1 到 %d", MaxQuantity))
	}
	on := date(v, "delivered_on", in.DeliveredOn)
	if in.DeliveredOn == "" {
		on = today
	} else if on > today {
		v.Add("delivered_on", "发放日期不能晚于今天")
	}
	signer := text(v, "signed_by", in.SignedBy, true, MaxSigner)
	var out Delivery
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		d, err := getDonation(ctx, tx, p, donationID)
		if err != nil {
			return err
		}
		if err := p.RequireIn(auth.SocialWrite, d.RegionCode); err != nil {
			return err
		}
		if on != "" && on < d.ReceivedOn {
			v.Add("delivered_on", "发放日期不能早于捐赠接收日期 "+d.ReceivedOn)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if d.Kind != "goods" {
			return errs.E(errs.Conflict, "资金捐赠请通过发放到户入账,不能登记物资发放")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE giving_donations SET version = version + 1, updated_at = ? WHERE id = ?`, db.Time(tx.Now), donationID); err != nil {
			return err
		}
		var delivered int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(quantity), 0) FROM giving_deliveries WHERE donation_id = ?`, donationID).Scan(&delivered); err != nil {
			return err
		}
		h, ok, err := loadHousehold(ctx, tx, in.HouseholdID)
		if err != nil {
			return err
		}
		switch {
		case !ok || !p.InScope(h.region):
			return errs.Field("household_id", "农户不存在")
		case !regioncode.Within(h.region, d.RegionCode):
			return errs.Field("household_id", "农户不在受捐区划 "+d.RegionName+" 内")
		case h.status != "registered":
			return errs.Field("household_id", "农户不是在档户")
		}
		if d.NeedID != nil {
			n, err := getNeed(ctx, tx, nil, *d.NeedID)
			if err != nil {
				return err
			}
			if n.HouseholdID != nil && *n.HouseholdID != in.HouseholdID {
				return errs.Field("household_id", fmt.Sprintf("该捐赠定向用于心愿的农户 %d", *n.HouseholdID))
			}
		}
		if delivered+in.Quantity > d.Quantity {
			return errs.Field("quantity", fmt.Sprintf("超过未发放数量 %d(共 %d,已发放 %d)", d.Quantity-delivered, d.Quantity, delivered))
		}
		var attachment any
		sha := ""
		if file != nil {
			if err := registry.StoreFile(ctx, tx, file, data, h.region, p.UserID); err != nil {
				return err
			}
			attachment, sha = file.ID, file.SHA256
		}
		id, err := tx.InsertID(ctx, `INSERT INTO giving_deliveries (donation_id, household_id, region_code, quantity, delivered_on, signed_by,
			attachment_id, receipt_sha256, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			donationID, h.id, h.region, in.Quantity, on, signer, attachment, sha, p.UserID, db.Time(tx.Now))
		if err != nil {
			return err
		}
		if d.NeedID != nil {
			if err := refreshNeed(ctx, tx, *d.NeedID, on); err != nil {
				return err
			}
		}
		out = Delivery{ID: id, DonationID: donationID, HouseholdID: h.id, HeadName: h.head, VillageName: h.village, Quantity: in.Quantity,
			DeliveredOn: on, SignedBy: signer, ReceiptSHA256: sha}
		return record(ctx, tx, p, "giving.donation.deliver", "giving_donation", donationID, d.RegionCode, nil, out)
	})
	s.changed()
	return out, err
}

// DeliveryReceipt is the signed receipt of a delivery of a donation in the caller's scope.
func (s *Service) DeliveryReceipt(ctx context.Context, p *auth.Principal, donationID, deliveryID int64) (registry.Attachment, []byte, error) {
	if err := p.Require(auth.SocialRead); err != nil {
		return registry.Attachment{}, nil, err
	}
	q := s.DB.Reader()
	if _, err := getDonation(ctx, q, p, donationID); err != nil {
		return registry.Attachment{}, nil, err
	}
	var a registry.Attachment
	var data []byte
	err := q.QueryRowContext(ctx, `SELECT a.id, a.sha256, a.name, a.content_type, a.size, a.data, a.created_at
		FROM giving_deliveries y JOIN attachments a ON a.id = y.attachment_id WHERE y.id = ? AND y.donation_id = ?`, deliveryID, donationID).
		Scan(&a.ID, &a.SHA256, &a.Name, &a.ContentType, &a.Size, &data, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, errNoDelivery
	}
	return a, data, err
}
