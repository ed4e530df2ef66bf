package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// paymentsCSV generates a payments export (FORMATS.md) of n lines: twelve
// columns, Chinese names and banks, every fifth amount quoted because of a
// thousands separator, as other systems' exports look.
func paymentsCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("payment_ref,fund_code,item_code,period,payee_id_number,payee_name,bank,account_no,account_holder,amount_yuan,paid_on,region_code\r\n")
	names := []string{"张三", "李四", "王秀英", "陈建国", "刘桂兰", "欧阳明"}
	banks := []string{"江苏射阳农村商业银行", "中国农业银行盐城分行", "中国邮政储蓄银行"}
	for i := 1; i < n; i++ {
		name := names[i%len(names)]
		amount := fmt.Sprintf("%d.%02d", 100+i%900, i%100)
		if i%5 == 0 {
			amount = fmt.Sprintf("\"%d,%03d.00\"", 1+i%9, i%1000)
		}
		fmt.Fprintf(&b, "PAY2024%08d,F%03d,I%02d,2024-%02d,3209211985%08d,%s,%s,62284800%011d,%s,%s,2024-%02d-%02d,320921%06d\r\n",
			i, i%50, i%20, 1+i%12, i, name, banks[i%len(banks)], i, name, amount, 1+i%12, 1+i%28, i%1000)
	}
	return b.Bytes()
}

const benchLines = 100_000

func BenchmarkSplitter(b *testing.B) {
	data := paymentsCSV(benchLines)
	opts := Options{}.withDefaults()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		sp := newSplitter(bufio.NewReaderSize(bytes.NewReader(data), readBufferSize), opts)
		records := 0
		for {
			_, fields, serr, err := sp.next()
			if err == io.EOF {
				break
			}
			if err != nil || serr != nil || len(fields) != 12 {
				b.Fatal(err, serr, len(fields))
			}
			records++
		}
		if records != benchLines {
			b.Fatal(records)
		}
	}
}

// BenchmarkEncodingCSV is the baseline: the standard library in its
// fastest configuration (reused record slice).
func BenchmarkEncodingCSV(b *testing.B) {
	data := paymentsCSV(benchLines)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.ReuseRecord = true
		cr.FieldsPerRecord = -1
		records := 0
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil || len(rec) != 12 {
				b.Fatal(err, len(rec))
			}
			records++
		}
		if records != benchLines {
			b.Fatal(records)
		}
	}
}

var paymentsSchema = Schema{Columns: []Column{
	{Name: "payee_id_number", Aliases: []string{"身份证号"}, Required: true},
	{Name: "payee_name", Aliases: []string{"姓名"}, Required: true},
	{Name: "amount_yuan", Aliases: []string{"金额(元)"}, Required: true},
	{Name: "paid_on", Aliases: []string{"发放日期"}},
	{Name: "bank", Aliases: []string{"开户银行"}},
}}

func benchmarkReader(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rd, err := Open(bytes.NewReader(data), "p.csv", paymentsSchema, Options{})
		if err != nil {
			b.Fatal(err)
		}
		rows := 0
		for {
			row, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil || row.Get("payee_id_number") == "" {
				b.Fatal(err)
			}
			rows++
		}
		if rows != benchLines-1 {
			b.Fatal(rows)
		}
	}
}

// BenchmarkReaderUTF8 is the whole reader: split, map five of twelve
// columns, validate, build rows.
func BenchmarkReaderUTF8(b *testing.B) { benchmarkReader(b, paymentsCSV(benchLines)) }

func BenchmarkReaderGBK(b *testing.B) {
	data, err := simplifiedchinese.GBK.NewEncoder().Bytes(paymentsCSV(benchLines))
	if err != nil {
		b.Fatal(err)
	}
	benchmarkReader(b, data)
}

func BenchmarkReaderXLSX(b *testing.B) {
	rows := [][]any{{"payee_id_number", "payee_name", "amount_yuan", "paid_on", "bank"}}
	for i := 1; i < 10_000; i++ {
		rows = append(rows, []any{fmt.Sprintf("3209211985%08d", i), "张三", 1234.5, 45123, "江苏射阳农村商业银行"})
	}
	data := makeXLSX(b, rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rd, err := Open(bytes.NewReader(data), "p.xlsx", paymentsSchema, Options{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for ; ; n++ {
			if _, err := rd.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		_ = rd.Close()
		if n != len(rows)-1 {
			b.Fatal(n)
		}
	}
}
