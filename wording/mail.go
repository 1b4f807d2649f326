package wording

import (
	"errors"
	"fmt"
	"time"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/mailintake"
	"github.com/npress/nightly/store"
)

// The exception kinds of a message the intake could not read; the report links them
// to the original kept as evidence.
const (
	ExceptionMailMalformed = "mail_malformed"
	ExceptionMailTooLarge  = "mail_too_large"
)

// MailUnreadable is the report entry of a message that could not be read: what
// was wrong, in valid UTF-8 (the parser escapes the message's bytes), and what to do.
func MailUnreadable(perr error, sha string, received time.Time) store.Exception {
	at := received.In(calendar.Tokyo).Format("2006-01-02 15:04:05")
	var tl *mailintake.TooLargeError
	if errors.As(perr, &tl) {
		return store.Exception{NKey: ExceptionMailTooLarge + ":" + sha, Kind: ExceptionMailTooLarge,
			Message: fmt.Sprintf("受信 %s のメール (SHA-256 %s) は %.1f MB あり、上限 %.1f MB を超えるため読み込んでいません。原本は証憑として保存済みです。",
				at, sha[:12], float64(tl.Size)/(1<<20), float64(tl.Limit)/(1<<20)),
			Action: "原本をメールソフトで開いて内容を確認し、減数・解約のご依頼であれば内容を手で記録するか、添付ファイルを外して再送いただくようお客様に依頼してください。" +
				"このような大きさのメールを通常どおり読むには設定 mail.max_message_bytes を上げてください。"}
	}
	return store.Exception{NKey: ExceptionMailMalformed + ":" + sha, Kind: ExceptionMailMalformed,
		Message: Cut(fmt.Sprintf("受信 %s のメール (SHA-256 %s) を読めません: %v", at, sha[:12], perr), 1000),
		Action:  "証憑として保存済みの原本をメールソフトで開いて内容を確認し、減数・解約のご依頼であればお客様に再送を依頼するか、内容を手で記録してください。"}
}

// Cut returns s cut to at most n characters (never inside one).
func Cut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
