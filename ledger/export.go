package ledger

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/japanese"

	"github.com/npress/nightly/csvsafe"
	"github.com/npress/nightly/jobs"
	"github.com/npress/nightly/store"
)

// AccountingKinds are the exports for the accountant, beside the master data kinds.
var AccountingKinds = []string{"invoices", "payments"}

// ExportAccounting writes the invoices (with subtotal and tax per rate) or the payments
// (with the transfer each came from) as CSV (utf8 with BOM, or sjis) or .xlsx.
func ExportAccounting(ctx context.Context, env *jobs.Env, kind, format, encoding string, w io.Writer) error {
	var rows [][]string
	switch kind {
	case "invoices":
		invs, err := store.ListInvoices(ctx, env.DB, store.InvoiceFilter{})
		if err != nil {
			return err
		}
		rows = append(rows, []string{"請求書番号", "種類", "お客様番号", "宛名", "契約番号", "注文番号", "発行日", "支払期限",
			"10%対象(税抜)", "消費税(10%)", "合計(税込)", "入金済", "状態", "取消対象"})
		for _, i := range invs {
			rows = append(rows, []string{i.Number, i.Kind, i.CustomerNo, i.ToName, i.ContractNo, i.OrderNo, i.IssueDate.String(),
				i.DueDate.String(), itoa(i.Subtotal), itoa(i.Tax), itoa(i.Total), itoa(i.Paid), i.Status, i.Replaces})
		}
	case "payments":
		ps, err := store.ListPayments(ctx, env.DB)
		if err != nil {
			return err
		}
		rows = append(rows, []string{"勘定日", "口座", "照会番号", "振込依頼人名", "入金額", "請求書番号", "お客様番号", "充当額",
			"振込手数料", "照合ルール", "取消", "処理日"})
		for _, p := range ps {
			rev := ""
			if p.Reversed {
				rev = "取消"
			}
			rows = append(rows, []string{p.ValueDate.String(), p.Account, p.RefNo, p.Payer, itoa(p.TxnAmount), p.InvoiceNumber,
				p.CustomerNo, itoa(p.Amount), itoa(p.Fee), p.RuleName, rev, p.RunDate.String()})
		}
	default:
		return fmt.Errorf("export %s: not an accounting export (invoices, payments)", kind)
	}
	return writeTable(w, kind, rows, format, encoding)
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// writeTable writes rows as CSV (UTF-8 with BOM, or Shift_JIS as Japanese Excel saves)
// or as an .xlsx sheet; amounts go into .xlsx as numbers.
func writeTable(w io.Writer, sheet string, rows [][]string, format, encoding string) error {
	switch format {
	case "", "csv":
		out := w
		switch encoding {
		case "", "utf8":
			if _, err := io.WriteString(w, "\ufeff"); err != nil {
				return err
			}
		case "sjis":
			out = japanese.ShiftJIS.NewEncoder().Writer(w)
		default:
			return fmt.Errorf("encoding %q: want utf8 or sjis", encoding)
		}
		cw := csvsafe.NewWriter(out)
		cw.UseCRLF = true
		if err := cw.WriteAll(rows); err != nil {
			return fmt.Errorf("write CSV: %w (a character Shift_JIS cannot hold? use --encoding utf8)", err)
		}
		return nil
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		f.SetSheetName("Sheet1", sheet)
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		for i, r := range rows {
			cells := make([]any, len(r))
			for j, v := range r {
				if n, err := strconv.ParseInt(v, 10, 64); err == nil && i > 0 && len(v) < 16 && !(len(v) > 1 && v[0] == '0') {
					cells[j] = n
				} else {
					cells[j] = csvsafe.Cell(v)
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := sw.SetRow(cell, cells); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		_, err = f.WriteTo(w)
		return err
	}
	return fmt.Errorf("format %q: want csv or xlsx", format)
}
