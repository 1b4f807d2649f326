package mailintake

import (
	"fmt"
	"strings"

	"github.com/npress/nightly/config"
)

// IMAPOptionsFrom turns the mail configuration into IMAP options, reading the password
// from the environment variable or file it names (never from the file in clear).
func IMAPOptionsFrom(mc config.MailConfig, getenv func(string) string) (IMAPOptions, error) {
	o := IMAPOptions{Addr: mc.Addr, Security: Security(mc.Security), CAFile: mc.CAFile,
		Username: mc.Username, Folder: mc.Folder, ProcessedFolder: mc.ProcessedFolder, BatchSize: mc.BatchSize}
	switch {
	case mc.TokenFile != "" || mc.TokenCommand != "":
		o.Auth = AuthXOAUTH2
		o.TokenFile = mc.TokenFile
		if mc.TokenCommand != "" {
			o.TokenCommand = strings.Fields(mc.TokenCommand)
		}
	default:
		pw, err := config.ReadSecret(getenv, mc.PasswordEnv, "")
		if err != nil && mc.PasswordFile == "" {
			return o, fmt.Errorf("mail %s: no password: set mail.password_env (and that variable) or mail.password_file, or a token for XOAUTH2", mc.Addr)
		}
		o.Password, o.PasswordFile = pw, mc.PasswordFile
	}
	if o.Folder == "" {
		o.Folder = "INBOX"
	}
	return o, o.Validate()
}
