package bankfeed

// Similarity compares two normalized names and returns 0–1000 (per mille): 1000 minus
// the edit distance (insertions, deletions, substitutions of characters) scaled by the
// longer name. It is integer arithmetic, so the same names always give the same score.
func Similarity(a, b string) int {
	if a == b {
		if a == "" {
			return 0
		}
		return 1000
	}
	var sa, sb [64]rune
	return similarityRunes(appendRunes(sa[:0], a), appendRunes(sb[:0], b))
}

func similarityRunes(a, b []rune) int {
	longer := max(len(a), len(b))
	if longer == 0 {
		return 0
	}
	d := editDistance(a, b)
	return 1000 * (longer - d) / longer
}

func appendRunes(dst []rune, s string) []rune {
	for _, r := range s {
		dst = append(dst, r)
	}
	return dst
}

// editDistance is the Levenshtein distance, two rows.
func editDistance(a, b []rune) int {
	if len(a) < len(b) {
		a, b = b, a
	}
	var rowBuf [2][65]int
	var prev, cur []int
	if len(b) < 65 {
		prev, cur = rowBuf[0][:len(b)+1], rowBuf[1][:len(b)+1]
	} else {
		prev, cur = make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// nameInfo is a registered name prepared for Similarity.
type nameInfo struct {
	runes []rune
	bag   []rune // runes sorted, for bagBound
	sig   uint64 // runeSignature
	dup   int
}

// runeSignature sets one of 64 bits for each rune of rs; dup counts the runes whose
// bit was already set. Two names share at most popcount(sigA&sigB) + min(dupA, dupB)
// runes, a bound on bagBound's count that costs no merge.
func runeSignature(rs []rune) (sig uint64, dup int) {
	for _, r := range rs {
		b := uint64(1) << (uint32(r) * 0x9E3779B1 >> 26)
		if sig&b != 0 {
			dup++
		}
		sig |= b
	}
	return sig, dup
}

// bagBound is an upper bound of Similarity from the runes two names share: the edit
// distance is at least the longer length minus the common runes (bag distance).
func bagBound(a, b []rune) int {
	common, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	longer := max(len(a), len(b))
	if longer == 0 {
		return 0
	}
	return 1000 * common / longer
}
