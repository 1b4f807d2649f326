package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/npress/nightly/store"
	"github.com/npress/nightly/store/storetest"
)

// The rerun form obeys the run-date rule of the command line: a date after today only
// as a dry run, at most a year ahead; nothing before 2000 (issue 13, #3).
func TestRunFormRefusesFutureDates(t *testing.T) {
	f := sqliteFixture(t, Options{}) // today is 2026-11-24 (JST)
	c := f.client(t)
	tok := f.login(t, c, "finance1")
	for _, tc := range []struct {
		date, dry string
		ok        bool
	}{
		{"9999-12-31", "", false},
		{"2026-11-25", "", false},
		{"2027-11-25", "1", false},
		{"1999-12-31", "1", false},
		{"2027-11-24", "1", true},
	} {
		form := url.Values{"csrf": {tok}, "date": {tc.date}, "back": {"/runs/new"}}
		if tc.dry != "" {
			form.Set("dry_run", tc.dry)
		}
		resp, body := post(t, c, f.ts.URL+"/actions/run", form)
		if tc.ok {
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/runs/") {
				t.Errorf("%s dry=%q: %d, want the run started", tc.date, tc.dry, resp.StatusCode)
			}
			waitRun(t, c, f.ts.URL+resp.Header.Get("Location")+"/status")
			continue
		}
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "実行できません") {
			t.Errorf("%s dry=%q: %d, want 400 saying why:\n%.400s", tc.date, tc.dry, resp.StatusCode, body)
		}
	}
	if f.srv.runs.get(2) != nil {
		t.Error("a refused date started a run")
	}
}

// loginAs posts a login of name with pw as a browser behind a proxy that wrote xff
// (empty: no header); it returns the status and the Retry-After header.
func loginAs(t *testing.T, c *http.Client, base, tok, name, pw, xff string) (int, string) {
	t.Helper()
	form := url.Values{"csrf": {tok}, "name": {name}, "password": {pw}}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

var behindProxy = Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

// Failed logins make one (user, address) pair wait longer and longer — never a lock:
// the same user from another address, and other users from the same address, log in as
// usual; the state survives a restart of the server (issue 13, #7).
func TestLoginThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) {
		f := newFixture(t, db, dsn, behindProxy)
		c := f.client(t)
		tok := token(t, c, f.ts.URL+"/login")
		const a, b = "203.0.113.5", "198.51.100.7"
		for i := 1; i <= 4; i++ {
			if code, _ := loginAs(t, c, f.ts.URL, tok, "finance1", "wrong", a); code != http.StatusUnauthorized {
				t.Fatalf("failure %d: %d, want 401", i, code)
			}
		}
		if code, ra := loginAs(t, c, f.ts.URL, tok, "finance1", password, a); code != http.StatusTooManyRequests || ra != "1" {
			t.Fatalf("right password at once after 4 failures: %d Retry-After %q, want 429 and 1", code, ra)
		}
		if !strings.Contains(f.logs.String(), "too many failures") {
			t.Error("the refusal is not logged")
		}
		// Nobody else waits: the user from another address, another user from this one.
		other := f.client(t)
		if code, _ := loginAs(t, other, f.ts.URL, token(t, other, f.ts.URL+"/login"), "finance1", password, b); code != http.StatusSeeOther {
			t.Errorf("finance1 from another address: %d, want a login", code)
		}
		if code, _ := loginAs(t, c, f.ts.URL, tok, "admin1", password, a); code != http.StatusSeeOther {
			t.Errorf("admin1 from the same address: %d, want a login", code)
		}
		c = f.client(t)
		tok = token(t, c, f.ts.URL+"/login")
		// The wait doubles, up to 10 minutes.
		wait, last := time.Second, 0
		for i := 0; i < 16; i++ {
			f.clock.add(wait)
			if code, _ := loginAs(t, c, f.ts.URL, tok, "finance1", "wrong", a); code != http.StatusUnauthorized {
				t.Fatalf("after waiting %v: %d, want the attempt let through", wait, code)
			}
			code, ra := loginAs(t, c, f.ts.URL, tok, "finance1", password, a)
			secs, _ := strconv.Atoi(ra)
			if code != http.StatusTooManyRequests || secs < last || secs > 600 {
				t.Fatalf("failure %d: %d Retry-After %q after %d", i+5, code, ra, last)
			}
			last, wait = secs, time.Duration(secs)*time.Second
		}
		if last != 600 {
			t.Errorf("the longest wait is %d s, want 600", last)
		}
		// A restart does not forget: a new server over the same database still waits.
		srv2, err := newServer(testDeps(f.env), behindProxy)
		if err != nil {
			t.Fatal(err)
		}
		ts2 := httptest.NewServer(srv2)
		defer ts2.Close()
		c2 := f.client(t)
		if code, _ := loginAs(t, c2, ts2.URL, token(t, c2, ts2.URL+"/login"), "finance1", password, a); code != http.StatusTooManyRequests {
			t.Errorf("after a restart: %d, want 429", code)
		}
		// After the wait the right password logs in, and the pair starts again.
		f.clock.add(wait)
		if code, _ := loginAs(t, c, f.ts.URL, tok, "finance1", password, a); code != http.StatusSeeOther {
			t.Fatalf("after the wait: %d, want a login", code)
		}
		var n int
		f.env.DB.Get(&n, "SELECT COUNT(*) FROM login_throttle")
		if n != 0 { // every pair that logged in was cleared
			t.Errorf("%d throttle rows left after the logins", n)
		}
	})
}

// X-Forwarded-For is believed only from a configured proxy, and only its last
// untrusted hop: a client cannot escape its delay by naming another address
// (issue 13, #7).
func TestForwardedForTrust(t *testing.T) {
	f := sqliteFixture(t, Options{}) // no trusted proxy: the header is ignored
	c := f.client(t)
	tok := token(t, c, f.ts.URL+"/login")
	for i := 0; i < 4; i++ {
		loginAs(t, c, f.ts.URL, tok, "viewer1", "wrong", "10.0.0."+strconv.Itoa(i))
	}
	if code, _ := loginAs(t, c, f.ts.URL, tok, "viewer1", password, "10.9.9.9"); code != http.StatusTooManyRequests {
		t.Errorf("rotating X-Forwarded-For without a trusted proxy: %d, want 429", code)
	}

	f = sqliteFixture(t, behindProxy)
	c = f.client(t)
	tok = token(t, c, f.ts.URL+"/login")
	for i := 0; i < 4; i++ { // the client prepends a new fake address each time
		loginAs(t, c, f.ts.URL, tok, "viewer1", "wrong", "10.0.0."+strconv.Itoa(i)+", 203.0.113.5")
	}
	if code, _ := loginAs(t, c, f.ts.URL, tok, "viewer1", password, "1.2.3.4, 203.0.113.5"); code != http.StatusTooManyRequests {
		t.Errorf("forged left hops: %d, want 429 (the proxy's hop counts)", code)
	}
	// Another client of that proxy is not held up, nor one in the same /64 spared.
	if code, _ := loginAs(t, c, f.ts.URL, tok, "viewer1", password, "203.0.113.6"); code != http.StatusSeeOther {
		t.Errorf("another client behind the proxy: %d, want a login", code)
	}
	c = f.client(t)
	tok = token(t, c, f.ts.URL+"/login")
	for i := 0; i < 4; i++ {
		loginAs(t, c, f.ts.URL, tok, "admin1", "wrong", "2001:db8:1:2::"+strconv.Itoa(i+1))
	}
	if code, _ := loginAs(t, c, f.ts.URL, tok, "admin1", password, "2001:db8:1:2:ffff::9"); code != http.StatusTooManyRequests {
		t.Errorf("another address of the same IPv6 /64: %d, want 429", code)
	}
	ip := f.srv.clientIP(httptest.NewRequest("GET", "/", nil))
	if ip != "192.0.2.1" {
		t.Errorf("clientIP of an untrusted connection: %q", ip)
	}
}

// Guesses sent in parallel are counted one after the other: no more than the free
// attempts and the first delayed one get through (issue 13, #7).
func TestLoginThrottleParallel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, dsn string) { loginParallel(t, newFixture(t, db, dsn, Options{})) })
}

func loginParallel(t *testing.T, f *fixture) {
	c := f.client(t)
	tok := token(t, c, f.ts.URL+"/login")
	var wg sync.WaitGroup
	codes := make(chan int, 12)
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _ := loginAs(t, c, f.ts.URL, tok, "finance1", "wrong", "")
			codes <- code
		}()
	}
	wg.Wait()
	close(codes)
	tried, others := 0, []int{}
	for code := range codes {
		switch code {
		case http.StatusUnauthorized:
			tried++
		case http.StatusTooManyRequests:
		default:
			others = append(others, code)
		}
	}
	if len(others) > 0 {
		t.Errorf("parallel guesses answered %v", others)
	}
	if tried != throttleFree+1 {
		t.Errorf("%d of 12 parallel guesses were tried, want %d (other codes: %v)", tried, throttleFree+1, others)
	}
}

// The login's next is followed only to a clean path on this site (issue 13, #10).
func TestLocalPath(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/contracts/NP-1", "/contracts/NP-1"},
		{"/nights/2026-11-24?x=1", "/nights/2026-11-24?x=1"},
		{"/nights/", "/nights/"},
		{"/./\\evil.com", ""},
		{"/\\evil.com", ""},
		{"/\\/evil.com", ""},
		{"//evil.com", ""},
		{"/%2F%2Fevil.com", ""},
		{"/%5Cevil.com", ""},
		{"/.//evil.com", ""},
		{"/a/../..//evil.com", ""},
		{"/a/%2e%2e/b", ""},
		{"/%09/evil.com", ""},
		{"/\t/evil.com", ""},
		{"https://evil.com", ""},
		{"http:/evil.com", ""},
		{"evil.com", ""},
		{"", ""},
		{"/login", ""},
		{"/login?next=/x", ""},
	} {
		if got := localPath(tc.in); got != tc.want {
			t.Errorf("localPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// End to end: the redirect after a login never leaves the site.
	f := sqliteFixture(t, Options{})
	c := f.client(t)
	tok := token(t, c, f.ts.URL+"/login?next=/./%5Cevil.com")
	resp, _ := post(t, c, f.ts.URL+"/login", url.Values{"csrf": {tok}, "name": {"viewer1"}, "password": {password}, "next": {"/./\\evil.com"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/nights" {
		t.Errorf("login with next=/./\\evil.com: %d → %q, want /nights", resp.StatusCode, loc)
	}
}
