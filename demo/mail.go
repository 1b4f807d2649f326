package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/npress/nightly/calendar"
	"github.com/npress/nightly/mailintake"
)

// MailMessage is one message of the demo mailbox: who sent what, and when the
// server received it (INTERNALDATE, JST).
type MailMessage struct {
	Name     string // what it shows in the demo
	Received time.Time
	Mail     []byte // RFC 5322, ISO-2022-JP
}

// demoForm is the request form of the reseller's service description, filled in.
func demoForm(contract, name, product, qty, kind string) string {
	s := "サイバーロジスティクス株式会社\nnPress 営業窓口 ご担当者様\n\nいつもお世話になっております。\n下記の通りお申込みいたします。\n\n"
	if contract != "" {
		s += "■ご契約番号：" + contract + "\n"
	}
	if name != "" {
		s += "■ご契約者名：" + name + "\n"
	}
	if product != "" {
		s += "■対象製品：" + product + "\n"
	}
	if qty != "" {
		s += "■数量：" + qty + "\n"
	}
	if kind != "" {
		s += "■希望される内容：" + kind + "\n"
	}
	return s + "\n以上、よろしくお願いいたします。\n"
}

// MailMessages returns the messages of the demo mailbox for the demo night of
// 2026-11-24 (Seed's contracts NP-0001011 to NP-0001013, whose next terms start on
// 2026-12-20 and 2026-12-15): a reduction received on its deadline day (accepted; it
// voids the renewal invoice already issued), the same reduction sent again at
// 23:59:59 JST that day (duplicate, so still on time), a cancellation at 00:00:00 JST
// the day after (late), a request without
// the seat count (incomplete), one naming another product (mismatch), a cancellation
// sent from an address the customer has not registered (unverified: held for staff),
// and one received at the cutoff, left for the next night. The bytes are the same on
// every run.
func MailMessages() ([]MailMessage, error) {
	type spec struct {
		name, at, from, fromAddr, id, subject, body string
	}
	specs := []spec{
		{"accepted (deadline day)", "2026-11-20 18:40:00", "佐藤 健一", "it-100011@example.co.jp", "demo-1@shirasagi.example.co.jp",
			"減数のお申込み（NP-0001011）", demoForm("NP-0001011", "株式会社白鷺商事", "Microsoft 365 Business Standard", "15 → 10", "減数") + "\n--\n株式会社白鷺商事 総務部 佐藤 健一\n"},
		{"duplicate", "2026-11-20 23:59:59", "佐藤 健一", "it-100011@example.co.jp", "demo-2@shirasagi.example.co.jp",
			"【再送】減数のお申込み（NP-0001011）", "念のため再送いたします。\n\n" + demoForm("NP-0001011", "株式会社白鷺商事", "Microsoft 365 Business Standard", "10ライセンスに減数", "減数")},
		{"late", "2026-11-21 00:00:00", "鈴木 美咲", "it-100012@example.co.jp", "demo-3@marubishi-med.example.co.jp",
			"解約のお願い", "nPress ご担当者様\n\nお世話になっております。株式会社丸菱メディカルの鈴木です。\n契約番号 NP-0001012 の Microsoft 365 Business Standard を、今期末で解約したくご連絡いたしました。\n\nよろしくお願いいたします。\n"},
		{"incomplete", "2026-11-22 10:05:00", "高橋 大輔", "it-100013@example.co.jp", "demo-4@sakura-bussan.example.co.jp",
			"ライセンス数の変更", demoForm("NP-0001013", "株式会社さくら物産", "", "", "減数")},
		{"mismatch", "2026-11-23 15:30:00", "高橋 大輔", "it-100013@example.co.jp", "demo-5@sakura-bussan.example.co.jp",
			"減数のお申込み", demoForm("NP-0001013", "株式会社さくら物産", "Office 365 E3", "17 → 12", "減数")},
		{"unverified (a sender the customer has not registered)", "2026-11-23 09:15:00", "山本 一郎", "yamamoto.ichiro@freemail.example.net", "demo-7@freemail.example.net",
			"解約のお願い（NP-0001011）", demoForm("NP-0001011", "株式会社白鷺商事", "Microsoft 365 Business Standard", "", "解約")},
		{"after the cutoff: next night", "2026-11-24 00:00:00", "鈴木 美咲", "it-100012@example.co.jp", "demo-6@marubishi-med.example.co.jp",
			"Re: 解約のお願い", "追加のご連絡です。NP-0001012 の件、よろしくお願いいたします。\n"},
	}
	var out []MailMessage
	for _, s := range specs {
		at, err := time.ParseInLocation("2006-01-02 15:04:05", s.at, calendar.Tokyo)
		if err != nil {
			return nil, fmt.Errorf("demo mail %s: %w", s.name, err)
		}
		raw, err := mailintake.Draft{From: mailintake.Address{Name: s.from, Addr: s.fromAddr}, To: mailintake.Address{Name: "nPress 営業窓口", Addr: "esales@npress.jp"},
			Subject: s.subject, MessageID: s.id, Date: at.Add(-2 * time.Minute), Body: s.body}.Bytes()
		if err != nil {
			return nil, fmt.Errorf("demo mail %s: %w", s.name, err)
		}
		out = append(out, MailMessage{Name: s.name, Received: at, Mail: raw})
	}
	return out, nil
}

type demoLiteral struct{ *bytes.Reader }

func (l demoLiteral) Size() int64 { return int64(l.Len()) }

// MailSource starts go-imap's in-memory IMAP server on 127.0.0.1 (plain text, which
// IMAPSource allows only on loopback), seeded with MailMessages, and returns a
// Source reading its INBOX and a function that stops the server. `nightly demo` puts
// the source in jobs.Env.MailSource.
func MailSource(ctx context.Context) (mailintake.Source, func(), error) {
	const user, pass = "esales@npress.jp", "demo"
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(user, pass)
	if err := u.Create("INBOX", nil); err != nil {
		return nil, nil, err
	}
	mem.AddUser(u)
	msgs, err := MailMessages()
	if err != nil {
		return nil, nil, err
	}
	for _, m := range msgs {
		if _, err := u.Append("INBOX", demoLiteral{bytes.NewReader(m.Mail)}, &imap.AppendOptions{Time: m.Received}); err != nil {
			return nil, nil, fmt.Errorf("demo mailbox: %w", err)
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("demo mailbox: %w", err)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	go srv.Serve(ln)
	src := mailintake.NewIMAPSource(mailintake.IMAPOptions{Addr: ln.Addr().String(), Security: mailintake.SecurityNone,
		Username: user, Password: pass, Folder: "INBOX", ProcessedFolder: "nightly/processed", Timeout: 10 * time.Second})
	return src, func() { srv.Close() }, nil
}
