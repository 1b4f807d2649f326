package invoice

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/BurntSushi/toml"
)

// ConfigPath is the path, inside the templates file system, of the invoice settings.
const ConfigPath = "defaults/invoice/invoice.toml"

// Config is what staff may edit in templates/defaults/invoice/invoice.toml: issuer,
// bank account, wording and layout (SPEC §8.2).
type Config struct {
	Seal       string  `toml:"seal"` // PNG file name beside invoice.toml; empty for none
	SealSizeMM float64 `toml:"seal_size_mm"`
	Issuer     Issuer  `toml:"issuer"`
	Bank       Bank    `toml:"bank"`
	Wording    Wording `toml:"wording"`
	Layout     Layout  `toml:"layout"`
}

// Issuer is the seller printed on every document (適格請求書発行事業者).
type Issuer struct {
	Name           string   `toml:"name"`
	Brand          string   `toml:"brand"`
	PostalCode     string   `toml:"postal_code"`
	Address        []string `toml:"address"`
	Phone          string   `toml:"phone"`
	Email          string   `toml:"email"`
	RegistrationNo string   `toml:"registration_no"` // T + 13 digits
}

// Bank is the account customers transfer to (振込先).
type Bank struct {
	Name    string `toml:"name"`
	Branch  string `toml:"branch"`
	Type    string `toml:"type"` // 普通 or 当座
	Number  string `toml:"number"`
	Holder  string `toml:"holder"` // account name in katakana
	FeeNote string `toml:"fee_note"`
}

// Wording is the fixed text of the documents; see invoice.toml for the placeholders.
type Wording struct {
	InvoiceTitle     string   `toml:"invoice_title"`
	PreviewMark      string   `toml:"preview_mark"`
	Greeting         string   `toml:"greeting"`
	AmountLabel      string   `toml:"amount_label"`
	DueLabel         string   `toml:"due_label"`
	TransferNote     string   `toml:"transfer_note"`
	AutoRenew        []string `toml:"auto_renew"`
	AutoRenewUndated []string `toml:"auto_renew_undated"`
	Perpetual        []string `toml:"perpetual"`
	Addition         []string `toml:"addition"`
	Replaces         string   `toml:"replaces"`
	Contact          string   `toml:"contact"`
	ReminderTitle    string   `toml:"reminder_title"`
	ReminderBody     []string `toml:"reminder_body"`
	// ReminderBodyPartial replaces ReminderBody for an invoice paid in part; empty:
	// ReminderBody.
	ReminderBodyPartial []string `toml:"reminder_body_partial"`
	CancelTitle         string   `toml:"cancel_title"`
	CancelBody          []string `toml:"cancel_body"`
	// CancelBodyNoReplacement replaces CancelBody when no invoice replaces the cancelled
	// one (a cancelled contract); empty: CancelBody.
	CancelBodyNoReplacement []string `toml:"cancel_body_no_replacement"`
	// MonthsFormula is printed under a table with a 月数 column: how a 月割 line's
	// amount follows from its unit price, quantity and months.
	MonthsFormula string `toml:"months_formula"`
	// EnvelopeTitle and EnvelopeBody are the separator sheet of the print bundle before
	// an envelope of several documents (staff read it; it is not posted).
	EnvelopeTitle string   `toml:"envelope_title"`
	EnvelopeBody  []string `toml:"envelope_body"`
}

// Layout holds the positions staff may need to adjust to their envelopes, in mm.
type Layout struct {
	WindowLeft    float64 `toml:"window_left"`
	WindowTop     float64 `toml:"window_top"`
	WindowWidth   float64 `toml:"window_width"`
	WindowHeight  float64 `toml:"window_height"`
	MarginLeft    float64 `toml:"margin_left"`
	MarginRight   float64 `toml:"margin_right"`
	MarginBottom  float64 `toml:"margin_bottom"`
	RowHeight     float64 `toml:"row_height"`
	TableTopFirst float64 `toml:"table_top_first"`
	TableTopNext  float64 `toml:"table_top_next"`
}

// ErrConfig is wrapped by every error about invoice.toml.
var ErrConfig = errors.New("invoice: bad invoice template settings")

// LoadConfig reads and checks ConfigPath from fsys. Unknown keys are refused, so that
// a misspelt setting is not silently ignored.
func LoadConfig(fsys fs.FS) (Config, error) {
	b, err := fs.ReadFile(fsys, ConfigPath)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %s: %w", ErrConfig, ConfigPath, err)
	}
	var c Config
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %s: %w", ErrConfig, ConfigPath, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return Config{}, fmt.Errorf("%w: %s: unknown setting %q (misspelt?)", ErrConfig, ConfigPath, und[0].String())
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%w: %s: %w", ErrConfig, ConfigPath, err)
	}
	return c, nil
}

// Validate checks that every item an 適格請求書 needs is present and that the layout
// fits on A4.
func (c Config) Validate() error {
	req := map[string]string{
		"issuer.name": c.Issuer.Name, "issuer.email": c.Issuer.Email,
		"bank.name": c.Bank.Name, "bank.branch": c.Bank.Branch, "bank.number": c.Bank.Number,
		"bank.holder": c.Bank.Holder, "wording.invoice_title": c.Wording.InvoiceTitle,
		"wording.reminder_title": c.Wording.ReminderTitle, "wording.cancel_title": c.Wording.CancelTitle,
	}
	for _, k := range []string{"issuer.name", "issuer.email", "bank.name", "bank.branch", "bank.number",
		"bank.holder", "wording.invoice_title", "wording.reminder_title", "wording.cancel_title"} {
		if strings.TrimSpace(req[k]) == "" {
			return fmt.Errorf("%s is empty", k)
		}
	}
	if len(c.Issuer.Address) == 0 {
		return errors.New("issuer.address is empty")
	}
	if err := CheckRegistrationNo(c.Issuer.RegistrationNo); err != nil {
		return fmt.Errorf("issuer.registration_no: %w", err)
	}
	if c.Bank.Type != "普通" && c.Bank.Type != "当座" {
		return fmt.Errorf("bank.type %q: want 普通 or 当座", c.Bank.Type)
	}
	if c.Seal != "" && (path.Base(c.Seal) != c.Seal || !strings.HasSuffix(strings.ToLower(c.Seal), ".png")) {
		return fmt.Errorf("seal %q: want the name of a PNG file beside invoice.toml", c.Seal)
	}
	l := c.Layout
	if l.WindowLeft < 0 || l.WindowTop < 0 || l.WindowWidth < 40 || l.WindowHeight < 20 ||
		l.WindowLeft+l.WindowWidth > 120 || l.WindowTop+l.WindowHeight > 80 {
		return fmt.Errorf("layout window %.1f,%.1f %.1f×%.1f mm does not fit the left top of the page",
			l.WindowLeft, l.WindowTop, l.WindowWidth, l.WindowHeight)
	}
	if l.MarginLeft < 5 || l.MarginRight < 5 || l.MarginBottom < 8 || l.MarginLeft+l.MarginRight > 60 {
		return errors.New("layout margins out of range (left/right ≥ 5 mm, bottom ≥ 8 mm)")
	}
	if l.RowHeight < 8 || l.RowHeight > 30 {
		return fmt.Errorf("layout row_height %.1f: want 8–30 mm", l.RowHeight)
	}
	if l.TableTopFirst < l.WindowTop+l.WindowHeight+30 || l.TableTopFirst > 200 || l.TableTopNext < 15 || l.TableTopNext > 100 {
		return errors.New("layout table_top_first/table_top_next out of range")
	}
	if c.SealSizeMM < 0 || c.SealSizeMM > 40 {
		return fmt.Errorf("seal_size_mm %.1f: want 0–40", c.SealSizeMM)
	}
	return nil
}

// ErrRegistrationNo is returned by CheckRegistrationNo.
var ErrRegistrationNo = errors.New("not a valid 登録番号 (T + 13 digits with a valid check digit)")

// CheckRegistrationNo checks an 適格請求書発行事業者登録番号: T and a 13-digit 法人番号
// whose first digit is the check digit over the other twelve
// (9 − Σ Pn × (n odd ? 1 : 2) mod 9, n counted from the right).
func CheckRegistrationNo(s string) error {
	if len(s) != 14 || s[0] != 'T' {
		return fmt.Errorf("%q: %w", s, ErrRegistrationNo)
	}
	sum := 0
	for i := 13; i >= 2; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			return fmt.Errorf("%q: %w", s, ErrRegistrationNo)
		}
		n := 14 - i // 1 for the rightmost digit
		w := 1
		if n%2 == 0 {
			w = 2
		}
		sum += int(c-'0') * w
	}
	if s[1] < '0' || s[1] > '9' || int(s[1]-'0') != 9-sum%9 {
		return fmt.Errorf("%q: %w", s, ErrRegistrationNo)
	}
	return nil
}
