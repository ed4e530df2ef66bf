package db

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"sunshine/internal/errs"
)

// mapErr turns driver errors that mean something to a user into *errs.Error, by driver error
// code; everything else passes through and ends as an internal error.
func mapErr(d Dialect, err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &errs.Error{Code: errs.Conflict, Message: "记录已存在(唯一性冲突)"}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &errs.Error{Code: errs.Invalid, Message: "引用的记录不存在"}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &errs.Error{Code: errs.Invalid, Message: "数据不符合约束"}
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &errs.Error{Code: errs.Conflict, Message: "记录已存在(唯一性冲突)"}
		case "23503":
			return &errs.Error{Code: errs.Invalid, Message: "引用的记录不存在"}
		case "23514", "23502":
			return &errs.Error{Code: errs.Invalid, Message: "数据不符合约束"}
		case "40001", "40P01":
			return &errs.Error{Code: errs.Conflict, Message: "并发修改冲突,请重试"}
		}
	}
	return err
}
