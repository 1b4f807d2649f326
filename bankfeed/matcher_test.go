package bankfeed

import "testing"

// TestMatcherChunks: matching a file chunk by chunk gives what Match gives for the
// whole when the chunks keep Match's order, and an invoice settled in one chunk is not
// open in the next.
func TestMatcherChunks(t *testing.T) {
	txns := []Txn{
		credit(2, 55000, "ｻｸﾗﾃﾞﾝｷ(ｶ", ""), // settles 2026-000102
		credit(3, 55000, "ｻｸﾗﾃﾞﾝｷ(ｶ", ""), // the same again: nothing open left
		credit(4, 50000, "ﾆｼﾌﾞﾂｻﾝ(ｶ", ""), // half of 2026-000181
		credit(5, 50000, "ﾆｼﾌﾞﾂｻﾝ(ｶ", ""), // the other half
		credit(6, 132000, "ﾐﾗｲﾄｳｷﾖｳ", ""), // 2026-000101
		credit(7, 16500, "ｺｽﾓﾃﾞﾝｼ(ｶ", ""), // the older of two equal invoices? ambiguous
		credit(8, 87560, "ｷﾀｶｾﾞ(ﾄﾞ", ""),  // short by a fee
	}
	whole := Match(MatchInput{Txns: txns, Invoices: book().Invoices, Payers: book().Payers, Aliases: book().Aliases, LearnedFees: book().LearnedFees})
	for _, size := range []int{1, 2, 3, len(txns)} {
		m := NewMatcher(book())
		var got []Result
		for lo := 0; lo < len(txns); lo += size {
			hi := min(lo+size, len(txns))
			for _, r := range m.Match(txns[lo:hi]) {
				if r.Index != r.Txn.Record-2-lo {
					t.Fatalf("chunk %d: Index %d for record %d", lo, r.Index, r.Txn.Record)
				}
				got = append(got, r)
			}
		}
		if len(got) != len(whole) {
			t.Fatalf("chunks of %d: %d results, want %d", size, len(got), len(whole))
		}
		for i := range whole {
			if summary(got[i]) != summary(whole[i]) {
				t.Errorf("chunks of %d, record %d:\n got %s\nwant %s", size, whole[i].Txn.Record, summary(got[i]), summary(whole[i]))
			}
		}
	}
	// The second ¥55,000 finds 2026-000102 settled by the first, whichever chunk it is in.
	if len(whole[1].Applied) > 0 && whole[1].Applied[0].Invoice == "2026-000102" && whole[1].Exception == "" {
		t.Errorf("the second transfer was booked on the invoice the first settled: %s", summary(whole[1]))
	}
	if len(whole[0].Applied) != 1 || whole[0].Applied[0].Invoice != "2026-000102" {
		t.Errorf("the first ¥55,000 did not settle 2026-000102: %s", summary(whole[0]))
	}
}
