package masterimport

import (
	"strings"
	"testing"

	"github.com/npress/nightly/masterdata"
)

// A parent share with a fraction of a percent is refused with a row error, never
// stored rounded down (51.5% would become 51%).
func TestWholePercent(t *testing.T) {
	cs := []masterdata.Customer{
		{No: "100004", Line: 2, ParentShare: masterdata.Percent(51)},
		{No: "100005", Line: 3, ParentShare: masterdata.Share(5150)},
		{No: "100006", Line: 4},
	}
	errs := wholePercent(cs)
	if len(errs) != 1 || errs[0].Line != 3 || errs[0].Column != "parent_share" || !strings.Contains(errs[0].Reason, "51.5%") {
		t.Fatalf("wholePercent = %+v, want one error on line 3 naming 51.5%%", errs)
	}
}
