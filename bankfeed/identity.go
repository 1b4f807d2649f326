package bankfeed

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
)

// MaxKeyLen is the longest transfer key stored as it is (the column's width); a longer
// one keeps its start and ends with the SHA-256 of the whole, so that it is never cut
// in the middle of a character and two keys that differ late stay different.
const MaxKeyLen = 190

// Key identifies a transfer within its account and payment source (SPEC §6.3): 勘定日 and
// 照会番号 when the bank gave one, else 勘定日, amount and normalized payer. The kind is
// part of the key, so that a cancellation never merges with the transfer it cancels.
func Key(t Txn) string {
	tag := "C"
	switch {
	case t.Cancelled:
		tag = "X"
	case t.Kind == Debit:
		tag = "D"
	}
	if t.RefNo != "" {
		return fitKey(fmt.Sprintf("%s|%s|ref:%s", tag, t.ValueDate, t.RefNo))
	}
	return fitKey(fmt.Sprintf("%s|%s|%d|%s", tag, t.ValueDate, t.Amount, t.PayerNormalized))
}

// fitKey returns k when it fits MaxKeyLen bytes, else its first bytes up to a
// character boundary, "#" and the SHA-256 of the whole key in hex.
func fitKey(k string) string {
	if len(k) <= MaxKeyLen {
		return k
	}
	h := sha256.Sum256([]byte(k))
	sum := hex.EncodeToString(h[:])
	keep := MaxKeyLen - len(sum) - 1
	for keep > 0 && k[keep]&0xC0 == 0x80 { // not inside a UTF-8 sequence
		keep--
	}
	return k[:keep] + "#" + sum
}

// KeyFilter is a Bloom filter of fixed size (8 MiB) over transfer keys: it tells which
// keys may occur more than once in a streamed file, so that only those are counted
// exactly for their ordinals and memory stays flat however big the file is. A false
// "may" only costs a map entry; a "no" is certain.
type KeyFilter struct{ bits []uint64 }

const keyFilterBits = 1 << 26

// NewKeyFilter returns an empty filter.
func NewKeyFilter() *KeyFilter { return &KeyFilter{bits: make([]uint64, keyFilterBits/64)} }

func (f *KeyFilter) positions(k string) [4]uint32 {
	h := fnv.New64a()
	h.Write([]byte(k))
	x := h.Sum64()
	a, b := uint32(x), uint32(x>>32)|1
	var p [4]uint32
	for i := range p {
		p[i] = (a + uint32(i)*b) % keyFilterBits
	}
	return p
}

// Add notes k.
func (f *KeyFilter) Add(k string) {
	for _, p := range f.positions(k) {
		f.bits[p/64] |= 1 << (p % 64)
	}
}

// Has reports whether k may have been added (false: certainly not).
func (f *KeyFilter) Has(k string) bool {
	for _, p := range f.positions(k) {
		if f.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}

// Ordinals numbers the occurrences of each transfer key of one account in a file: the
// n-th is ordinal n, so that overlapping files merge as multisets (SPEC §6.3). With a
// filter of the keys that may repeat (Survey.Repeats), only those are counted exactly.
type Ordinals struct {
	repeats *KeyFilter
	counts  map[string]int
}

// NewOrdinals counts the keys repeats may hold (every key when repeats is nil).
func NewOrdinals(repeats *KeyFilter) *Ordinals {
	return &Ordinals{repeats: repeats, counts: map[string]int{}}
}

// Next returns the ordinal of this occurrence of key in account.
func (o *Ordinals) Next(account, key string) int {
	full := account + "\x00" + key
	if o.repeats != nil && !o.repeats.Has(full) {
		return 1
	}
	o.counts[full]++
	return o.counts[full]
}
