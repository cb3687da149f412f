package admin

import (
	"errors"
	"fmt"
	"testing"
)

// TestAllReadsEveryPage: a full listing reads page after page, each after
// the last id of the one before, until a short page; an error stops it.
func TestAllReadsEveryPage(t *testing.T) {
	for _, n := range []int{0, 1, pageSize - 1, pageSize, pageSize + 1, 2*pageSize + 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			ids := make([]int, n)
			for i := range ids {
				ids[i] = i + 1
			}
			var afters []string
			got, err := all(func(after string) ([]int, error) {
				afters = append(afters, after)
				start := 0
				if after != "" {
					fmt.Sscan(after, &start)
				}
				return ids[start:min(start+pageSize, n)], nil
			}, func(i int) string { return fmt.Sprint(i) })
			if err != nil || len(got) != n {
				t.Fatalf("all = %d items, %v; want %d", len(got), err, n)
			}
			if want := n/pageSize + 1; len(afters) != want {
				t.Fatalf("%d pages read, want %d", len(afters), want)
			}
		})
	}
	boom := errors.New("boom")
	if _, err := all(func(string) ([]int, error) { return nil, boom }, func(int) string { return "" }); !errors.Is(err, boom) {
		t.Fatalf("all with a failing page = %v, want it", err)
	}
}
