package console

import (
	"fmt"
	"sort"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/i18n"
)

// The Overview's charts are SVG drawn on the server (the console runs no
// script for them), each beside its numbers as text and a table, so a
// screen reader reads the numbers and the picture is only for the eye.

// chartDays is the span of the sign-ins chart: the last 30 UTC days,
// today included.
const chartDays = 30

// maxFailureSeries is how many failure reasons get a colour of their
// own; the rest are drawn together as "other failures".
const maxFailureSeries = 3

// seriesColors: successes, then the failure series, then "other".
var seriesColors = []string{"#0067b8", "#a4262c", "#ca5010", "#8764b8", "#605e5c"}

// series is one stacked part of the bars: successes, a failure reason.
type series struct {
	Label, Color string
	// Total is the series' count over the span.
	Total int
}

// dayRow is one day of the sign-ins chart and of its table.
type dayRow struct {
	Date string // yyyy-mm-dd
	// Counts are per series, in the chart's series order.
	Counts []int
	Total  int
}

// rect is a bar's part, in the SVG's user units.
type rect struct {
	X, Y, W, H float64
	Color      string
}

// axisLabel is a label under or beside the plot.
type axisLabel struct {
	X, Y float64
	Text string
}

// signInChart is the sign-ins per day chart, ready for the template.
type signInChart struct {
	Series    []series
	Days      []dayRow
	Bars      []rect
	XLabels   []axisLabel
	YLabels   []axisLabel
	Width     float64
	Height    float64
	PlotTop   float64
	PlotLeft  float64
	PlotRight float64
	PlotBase  float64
	Successes int
	Failures  int
}

// Sign-ins chart geometry, in SVG user units (the SVG scales to its box).
const (
	chartWidth  = 640
	chartHeight = 220
	plotLeft    = 40
	plotRight   = 630
	plotTop     = 10
	plotBase    = 190
)

// newSignInChart lays out the counts of the chartDays days before and
// including today (a UTC midnight): successes at the bottom of each bar,
// then failures by reason (the most frequent reasons first).
func newSignInChart(lang string, today time.Time, counts []audit.DayCount) signInChart {
	first := today.AddDate(0, 0, -(chartDays - 1))
	totals := map[int]int{}
	for _, c := range counts {
		totals[c.ErrorCode] += c.Count
	}
	var codes []int
	for code := range totals {
		if code != 0 {
			codes = append(codes, code)
		}
	}
	sort.Slice(codes, func(i, j int) bool {
		if totals[codes[i]] != totals[codes[j]] {
			return totals[codes[i]] > totals[codes[j]]
		}
		return codes[i] < codes[j]
	})
	index := map[int]int{0: 0}
	ch := signInChart{Width: chartWidth, Height: chartHeight, PlotLeft: plotLeft, PlotRight: plotRight, PlotTop: plotTop, PlotBase: plotBase}
	ch.Series = append(ch.Series, series{Label: i18n.T(lang, "console.chart.successes"), Color: seriesColors[0]})
	for i, code := range codes {
		if i == maxFailureSeries && len(codes) > maxFailureSeries+1 {
			ch.Series = append(ch.Series, series{Label: i18n.T(lang, "console.chart.other_failures"), Color: seriesColors[len(seriesColors)-1]})
			for _, rest := range codes[i:] {
				index[rest] = len(ch.Series) - 1
			}
			break
		}
		ch.Series = append(ch.Series, series{Label: failureLabel(lang, code), Color: seriesColors[1+i%(len(seriesColors)-1)]})
		index[code] = len(ch.Series) - 1
	}
	ch.Days = make([]dayRow, chartDays)
	for i := range ch.Days {
		ch.Days[i] = dayRow{Date: first.AddDate(0, 0, i).Format("2006-01-02"), Counts: make([]int, len(ch.Series))}
	}
	for _, c := range counts {
		d := int(c.Day.Sub(first).Hours() / 24)
		if d < 0 || d >= chartDays {
			continue
		}
		s := index[c.ErrorCode]
		ch.Days[d].Counts[s] += c.Count
		ch.Days[d].Total += c.Count
		ch.Series[s].Total += c.Count
		if c.ErrorCode == 0 {
			ch.Successes += c.Count
		} else {
			ch.Failures += c.Count
		}
	}
	ch.layout()
	return ch
}

// layout places the bars and the axis labels.
func (ch *signInChart) layout() {
	top := 0
	for _, d := range ch.Days {
		top = max(top, d.Total)
	}
	top = niceCeil(top)
	slot := float64(plotRight-plotLeft) / chartDays
	scale := float64(plotBase-plotTop) / float64(top)
	for i, d := range ch.Days {
		x := plotLeft + float64(i)*slot + slot*0.15
		y := float64(plotBase)
		for s, n := range d.Counts {
			if n == 0 {
				continue
			}
			h := float64(n) * scale
			y -= h
			ch.Bars = append(ch.Bars, rect{X: x, Y: y, W: slot * 0.7, H: h, Color: ch.Series[s].Color})
		}
		if (chartDays-1-i)%7 == 0 { // a label a week, today's included
			ch.XLabels = append(ch.XLabels, axisLabel{X: x + slot*0.35, Y: plotBase + 18, Text: d.Date[5:]})
		}
	}
	for _, v := range []int{0, top / 2, top} {
		ch.YLabels = append(ch.YLabels, axisLabel{X: plotLeft - 6, Y: plotBase - float64(v)*scale + 4, Text: fmt.Sprint(v)})
	}
}

// niceCeil is the axis' top: n rounded up to an even number, at least 2.
func niceCeil(n int) int {
	if n < 2 {
		return 2
	}
	return n + n%2
}

// stateChart is the guests by invitation state chart: one horizontal bar
// per state.
type stateChart struct {
	Bars   []stateBar
	Width  float64
	Height float64
}

type stateBar struct {
	Label string
	Count int
	// LabelY is the label's baseline, Y the bar's top, W its width.
	LabelY, Y, W float64
	// TextX is where the count goes, after the bar.
	TextX float64
}

// State chart geometry: a bar per state, its count after it.
const (
	stateWidth    = 640
	stateBarLeft  = 0
	stateBarMax   = 560
	stateRowPitch = 48
)

func newStateChart(rows []countRow) stateChart {
	top := 1
	for _, r := range rows {
		top = max(top, r.Count)
	}
	ch := stateChart{Width: stateWidth, Height: float64(len(rows)*stateRowPitch + 4)}
	for i, r := range rows {
		w := float64(r.Count) / float64(top) * stateBarMax
		top := float64(i * stateRowPitch)
		ch.Bars = append(ch.Bars, stateBar{Label: r.Name, Count: r.Count, LabelY: top + 15, Y: top + 20, W: w, TextX: stateBarLeft + w + 8})
	}
	return ch
}
