package core

import (
	"cmp"
	"slices"
	"time"
)

// sortByKey sorts s by a key computed once per element (rather than in every comparison, where
// a lower-cased name would be allocated again and again), then puts the elements in place.
// Elements whose keys compare equal keep no particular order.
func sortByKey[T, K any](s []T, key func(*T) K, cmp func(a, b K) int) {
	if len(s) < 2 {
		return
	}
	type item struct {
		k K
		i int32
	}
	items := make([]item, len(s))
	for i := range s {
		items[i] = item{k: key(&s[i]), i: int32(i)}
	}
	slices.SortFunc(items, func(a, b item) int { return cmp(a.k, b.k) })
	perm := make([]int32, len(s))
	for j := range items {
		perm[j] = items[j].i
	}
	permute(s, perm)
}

// permute rearranges s in place so that the element at position j is the one that was at
// perm[j]. It follows each cycle of the permutation, marking done positions with perm[j] = j.
func permute[T any](s []T, perm []int32) {
	for start := range s {
		if perm[start] == int32(start) {
			continue
		}
		tmp := s[start]
		j := start
		for {
			k := int(perm[j])
			perm[j] = int32(j)
			if k == start {
				s[j] = tmp
				break
			}
			s[j] = s[k]
			j = k
		}
	}
}

// timeKey is an instant as two integers, cheaper to compare than a time.Time.
type timeKey struct {
	sec  int64
	nsec int32
}

func timeKeyOf(t time.Time) timeKey { return timeKey{t.Unix(), int32(t.Nanosecond())} }

func (a timeKey) compare(b timeKey) int {
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	return cmp.Compare(a.nsec, b.nsec)
}
