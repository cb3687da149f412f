package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// compareTable renders a -compare run as a Markdown table, a row per level:
// each pair's sign-ins/s of guestgate and of Kratos, the median (and range)
// of the pairs' ratios, the medians of CPU milliseconds per sign-in of each
// service and of its PostgreSQL, the load average's range over the level's
// runs, and errors.
func compareTable(levels []int, results []Result) string {
	var b strings.Builder
	b.WriteString("| virtual guests | guestgate sign-ins/s | Kratos sign-ins/s | ratio median (range) | CPU ms / sign-in guestgate / its PostgreSQL | Kratos / its PostgreSQL | load average | errors guestgate / Kratos |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, c := range levels {
		gg, kr := pairedRuns(results, c)
		var ratios, loads []float64
		for pair, g := range gg {
			if k, ok := kr[pair]; ok && k.SignInsPerSecond > 0 {
				ratios = append(ratios, g.SignInsPerSecond/k.SignInsPerSecond)
			}
		}
		for _, r := range results {
			if r.Concurrency == c {
				loads = append(loads, r.LoadAverage)
			}
		}
		ratio := "—"
		if len(ratios) > 0 {
			ratio = fmt.Sprintf("%.2f× (%.2f–%.2f)", median(ratios), slices.Min(ratios), slices.Max(ratios))
		}
		load := "—"
		if len(loads) > 0 {
			load = fmt.Sprintf("%.1f–%.1f", slices.Min(loads), slices.Max(loads))
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %d / %d |\n", c,
			rates(gg), rates(kr), ratio, cpuPair(gg), cpuPair(kr), load, errorCount(gg), errorCount(kr))
	}
	return b.String()
}

// pairedRuns are the level's runs of guestgate and of Kratos by pair.
func pairedRuns(results []Result, c int) (gg, kr map[int]Result) {
	gg, kr = map[int]Result{}, map[int]Result{}
	for _, r := range results {
		switch {
		case r.Concurrency != c:
		case r.Product == productGuestgate:
			gg[r.Pair] = r
		case r.Product == productKratos:
			kr[r.Pair] = r
		}
	}
	return gg, kr
}

// inPairOrder lists runs by pair.
func inPairOrder(runs map[int]Result) []Result {
	var out []Result
	for _, p := range slices.Sorted(maps.Keys(runs)) {
		out = append(out, runs[p])
	}
	return out
}

// rates are the runs' sign-ins/s in pair order.
func rates(runs map[int]Result) string {
	var s []string
	for _, r := range inPairOrder(runs) {
		s = append(s, fmt.Sprintf("%.0f", r.SignInsPerSecond))
	}
	if len(s) == 0 {
		return "—"
	}
	return strings.Join(s, ", ")
}

// cpuPair is "service / its PostgreSQL": the medians of the runs' CPU ms
// per sign-in.
func cpuPair(runs map[int]Result) string {
	var srv, pg []float64
	for _, r := range runs {
		if r.Completed == 0 {
			continue
		}
		srv = append(srv, r.ServerCPUms)
		if r.PostgresCPUms != nil {
			pg = append(pg, *r.PostgresCPUms)
		}
	}
	if len(srv) == 0 {
		return "—"
	}
	out := fmt.Sprintf("%.1f", median(srv))
	if len(pg) > 0 {
		return out + fmt.Sprintf(" / %.1f", median(pg))
	}
	return out + " / —"
}

func errorCount(runs map[int]Result) int {
	n := 0
	for _, r := range runs {
		for _, k := range r.Errors {
			n += k
		}
	}
	return n
}

// median of vs (the mean of the middle two for an even count); 0 for none.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(vs))
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
