package web

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless chromium exe for t, in Japanese, with its own profile and a
// time limit; opts add to (or override) the defaults. It stops when t ends.
func browser(t *testing.T, exe string, limit time.Duration, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	all := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("lang", "ja-JP"),
	}, opts...)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), all...)
	bctx, cancel := chromedp.NewContext(alloc)
	bctx, cancelT := context.WithTimeout(bctx, limit)
	t.Cleanup(func() {
		cancelT()
		cancel()
		cancelAlloc()
	})
	return bctx
}

// screenshot saves the whole page as name.png in NIGHTLY_TEST_SCREENSHOTS, to look
// at; without that variable it does nothing.
func screenshot(name string) chromedp.Action[chromedp.Void] {
	shots := os.Getenv("NIGHTLY_TEST_SCREENSHOTS")
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if shots == "" {
			return nil
		}
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
	})
}
