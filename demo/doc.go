// Package demo is the demo reseller and the load it is measured under: the seeded
// customers, contracts, bank files and mailbox of `nightly demo` (Seed, BankFiles,
// MailSource), the generator of a realistic reseller of any size (`nightly gen`, Gen)
// and the night benchmark (`nightly bench`, BenchNight). Tests and the binary use it;
// the night never does, so nothing of it (go-imap's test server, math/rand) reaches the
// production path of jobs.
package demo
