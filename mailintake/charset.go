package mailintake

import (
	"sync"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
)

// japaneseLabels are the charset labels Japanese mail clients send that go-message's
// charset package (v0.18.2) does not know or maps to no decoder (ianaindex knows
// "cp50220" but has no decoder for it). Each is decoded by golang.org/x/text: its
// Shift_JIS decoder reads CP932 (NEC and IBM extensions), its ISO-2022-JP decoder reads
// the NEC row-13 characters (①, ㈱) that CP50220 adds, and its EUC-JP decoder reads
// the same rows as eucJP-ms.
var japaneseLabels = map[string]encoding.Encoding{
	"cp932":          japanese.ShiftJIS,
	"ms932":          japanese.ShiftJIS,
	"windows-932":    japanese.ShiftJIS,
	"x-ms-cp932":     japanese.ShiftJIS,
	"windows-31j":    japanese.ShiftJIS,
	"x-sjis":         japanese.ShiftJIS,
	"sjis":           japanese.ShiftJIS,
	"shift-jis":      japanese.ShiftJIS,
	"x-shift_jis":    japanese.ShiftJIS,
	"ms_kanji":       japanese.ShiftJIS,
	"cp50220":        japanese.ISO2022JP,
	"cp50221":        japanese.ISO2022JP,
	"cp50222":        japanese.ISO2022JP,
	"iso-2022-jp-ms": japanese.ISO2022JP,
	"iso-2022-jp-1":  japanese.ISO2022JP,
	"iso-2022-jp-2":  japanese.ISO2022JP,
	"x-euc-jp":       japanese.EUCJP,
	"eucjp":          japanese.EUCJP,
	"eucjp-ms":       japanese.EUCJP,
	"euc-jp-ms":      japanese.EUCJP,
	"x-eucjp-open":   japanese.EUCJP,
	"cp51932":        japanese.EUCJP,
}

var registerOnce sync.Once

// registerCharsets adds japaneseLabels to go-message's charset table. It runs once per
// process, before the first message is read; the table is not written again after it.
func registerCharsets() {
	registerOnce.Do(func() {
		for name, enc := range japaneseLabels {
			charset.RegisterEncoding(name, enc)
		}
	})
}
