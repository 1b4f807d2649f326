package jobs

// SetStreamAbove lowers the size above which a Zengin bank file is streamed, so that
// tests drive small files through the streaming path; it returns the restore function.
func SetStreamAbove(n int64) func() {
	old := streamAbove
	streamAbove = n
	return func() { streamAbove = old }
}
