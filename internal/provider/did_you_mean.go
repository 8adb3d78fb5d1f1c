package provider

import (
	"unicode/utf8"

	"github.com/agext/levenshtein"
)

// closest returns the candidate nearest to s by edit distance, counted in
// characters, or "" when none is close enough to be a plausible typo
// (distance above a third of s's length, at least 2).
func closest(s string, candidates []string) string {
	best, bestDist := "", max(2, utf8.RuneCountInString(s)/3)+1
	for _, c := range candidates {
		if d := levenshtein.Distance(s, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}
