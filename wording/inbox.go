package wording

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/store"
)

// InboxSkipped is the exception for an inbox entry that is not read. The name is
// shown as valid UTF-8 and cut to fit its column; the key is a hash of the raw name.
func InboxSkipped(runDate calendar.Date, kind, name, what string) store.Exception {
	raw := name
	name = shortName(name)
	h := sha256.Sum256([]byte(kind + "/" + raw))
	var why, action string
	switch what {
	case "symlink":
		why = "シンボリックリンクのため読み込んでいません（リンク先は開きません）"
		action = fmt.Sprintf("リンクではなく実際のファイルを受信フォルダの %s/ に置き、リンクは削除してください。", kind)
	case "folder":
		why = "フォルダのため読み込んでいません（中のファイルも読みません）"
		action = fmt.Sprintf("中のファイルを受信フォルダの %s/ に直接置き、フォルダは削除してください。", kind)
	default:
		why = "通常のファイルではない（パイプ・ソケット・デバイスなど）ため読み込んでいません"
		action = fmt.Sprintf("受信フォルダの %s/ から削除し、読み込ませたい内容は通常のファイルとして置いてください。", kind)
	}
	return store.Exception{NKey: "inbox_skipped:" + kind + ":" + hex.EncodeToString(h[:16]), RunDate: runDate, Kind: "inbox_skipped",
		Subject: kind + "/" + name, Message: fmt.Sprintf("受信フォルダの %s/%s は%s。", kind, name, why), Action: action}
}

// shortName is a file name as text that any column holds: invalid UTF-8 replaced, at
// most 120 characters.
func shortName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if utf8.RuneCountInString(name) <= 120 {
		return name
	}
	return string([]rune(name)[:119]) + "…"
}
