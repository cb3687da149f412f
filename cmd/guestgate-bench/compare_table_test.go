package main

import (
	"strings"
	"testing"
)

func TestCompareTable(t *testing.T) {
	pg := func(v float64) *float64 { return &v }
	results := []Result{
		{Product: "guestgate", Pair: 1, Concurrency: 8, Completed: 2000, SignInsPerSecond: 200, ServerCPUms: 4.5, PostgresCPUms: pg(5), LoadAverage: 2.5},
		{Product: "kratos", Pair: 1, Concurrency: 8, Completed: 500, SignInsPerSecond: 50, ServerCPUms: 12, PostgresCPUms: pg(9), LoadAverage: 2.9},
		{Product: "kratos", Pair: 2, Concurrency: 8, Completed: 400, SignInsPerSecond: 40, ServerCPUms: 14, PostgresCPUms: pg(10), LoadAverage: 3.1,
			Errors: map[string]int{"mail: no code mail within 30s": 2}},
		{Product: "guestgate", Pair: 2, Concurrency: 8, Completed: 2200, SignInsPerSecond: 220, ServerCPUms: 4.7, PostgresCPUms: pg(5.2), LoadAverage: 3.0},
		{Product: "guestgate", Pair: 1, Concurrency: 32, Completed: 0, Errors: map[string]int{"send_code: HTTP 500": 7}, LoadAverage: 4},
	}
	got := compareTable([]int{8, 32}, results)
	want := `| virtual guests | guestgate sign-ins/s | Kratos sign-ins/s | ratio median (range) | CPU ms / sign-in guestgate / its PostgreSQL | Kratos / its PostgreSQL | load average | errors guestgate / Kratos |
|---|---|---|---|---|---|---|---|
| 8 | 200, 220 | 50, 40 | 4.75× (4.00–5.50) | 4.6 / 5.1 | 13.0 / 9.5 | 2.5–3.1 | 0 / 2 |
| 32 | 0 | — | — | — | — | 4.0–4.0 | 7 / 0 |
`
	if got != want {
		t.Fatalf("compareTable:\n%s\nwant:\n%s", got, want)
	}
	if n := strings.Count(got, "\n"); n != 4 {
		t.Fatalf("%d lines, want a header, a rule and a row per level", n)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
