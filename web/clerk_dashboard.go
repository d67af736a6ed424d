package web

import (
	"net/http"
	"time"

	"github.com/sijil-municipality/sijil/requests"
)

// dashboardWeeks is how many weeks the issued chart covers.
const dashboardWeeks = 8

// The charts are drawn on the server as SVG, with no script; their
// geometry is computed here so that the template only places shapes.
// The SVG's own coordinates run left to right, so an Arabic page gets
// them mirrored: labels on the right, bars growing leftwards, the oldest
// week on the right.
const (
	chartWidth   = 400
	chartLabelW  = 150
	chartBarMaxW = 200
	chartRowH    = 30
	chartColH    = 160
)

// barChart is one chart with its numbers.
type barChart struct {
	ID     string // for aria-labelledby
	Title  string
	Width  int
	Height int
	Dir    string // the text direction of its labels
	Bars   []chartBar
}

// chartBar is one bar and where its label and value are drawn.
type chartBar struct {
	Label          string
	Long           string // the label in full, for the table; Label when empty
	Value          int
	X, Y, W, H     int
	LabelX, LabelY int
	LabelAnchor    string
	ValueX, ValueY int
	ValueAnchor    string
}

// dashboardView is the dashboard's content: the charts and, for screen
// readers and for anyone who wants the exact numbers, the table of
// requests by state and age.
type dashboardView struct {
	ByState     barChart
	ByAge       barChart
	Issued      barChart
	AgeLabels   []string
	StateRows   []dashboardRow
	AgeTotals   []int // the open requests in each age bucket
	OpenTickets int
	OpenTotal   int
}

type dashboardRow struct {
	State  requests.State
	Counts []int
	Total  int
}

// officeDashboard draws the office's numbers.
func (s *Server) officeDashboard(w http.ResponseWriter, r *http.Request) error {
	d, err := s.cfg.Requests.Dashboard(r.Context(), actorOf(CurrentUser(r.Context())),
		dashboardWeeks)
	if err != nil {
		return err
	}
	rtl := dirOf(Lang(r.Context())) == "rtl"

	v := dashboardView{OpenTickets: d.OpenTickets, AgeLabels: s.ageLabels(r)}
	ages := make([]int, len(requests.AgeBuckets)+1)
	var states []chartBar
	for _, st := range requests.States {
		counts, ok := d.ByState[st]
		if !ok || !st.Open() {
			continue
		}
		row := dashboardRow{State: st, Counts: counts}
		for i, n := range counts {
			row.Total += n
			if i < len(ages) {
				ages[i] += n
			}
		}
		v.OpenTotal += row.Total
		v.StateRows = append(v.StateRows, row)
		label := "requests.state_" + string(st)
		states = append(states, chartBar{Label: s.T(r, label), Value: row.Total})
	}
	v.ByState = horizontalChart("chart-state", s.T(r, "clerk.chart_by_state"), states, rtl)
	v.AgeTotals = ages
	var byAge []chartBar
	for i, n := range ages {
		byAge = append(byAge, chartBar{Label: v.AgeLabels[i], Value: n})
	}
	v.ByAge = horizontalChart("chart-age", s.T(r, "clerk.chart_by_age"), byAge, rtl)
	var weeks []chartBar
	for _, wk := range d.IssuedPerWeek {
		weeks = append(weeks, chartBar{Label: wk.Start.UTC().Format("01-02"),
			Long: wk.Start.UTC().Format("2006-01-02"), Value: wk.Count})
	}
	v.Issued = columnChart("chart-issued", s.T(r, "clerk.chart_issued"), weeks, rtl)

	s.show(w, r, http.StatusOK, "clerk_dashboard.html", Page{
		Title: s.T(r, "clerk.dashboard_title"), Data: v})
	return nil
}

// ageLabels names the age buckets: under 2 days, 2 to 7 days, … over 30.
func (s *Server) ageLabels(r *http.Request) []string {
	days := func(d time.Duration) int { return int(d.Hours() / 24) }
	b := requests.AgeBuckets
	out := []string{s.N(r, "clerk.age_under", days(b[0]))}
	for i := 1; i < len(b); i++ {
		// The days agree with the number next to them, the upper bound.
		out = append(out, s.N(r, "clerk.age_between", days(b[i]), days(b[i-1]), days(b[i])))
	}
	return append(out, s.N(r, "clerk.age_over", days(b[len(b)-1])))
}

// horizontalChart lays bars out one a row, labelled on the reading side.
func horizontalChart(id, title string, bars []chartBar, rtl bool) barChart {
	top := maxValue(bars)
	for i := range bars {
		b := &bars[i]
		b.Y, b.H = i*chartRowH+4, chartRowH-10
		b.W = b.Value * chartBarMaxW / top
		b.LabelY, b.ValueY = b.Y+b.H-5, b.Y+b.H-5
		if rtl {
			// In right-to-left text, "start" is a label's right end.
			b.X = chartWidth - chartLabelW - b.W
			b.LabelX, b.LabelAnchor = chartWidth-4, "start"
			b.ValueX, b.ValueAnchor = b.X-6, "start"
		} else {
			b.X = chartLabelW
			b.LabelX, b.LabelAnchor = chartLabelW-8, "end"
			b.ValueX, b.ValueAnchor = b.X+b.W+6, "start"
		}
	}
	return barChart{ID: id, Title: title, Width: chartWidth,
		Height: max(len(bars), 1)*chartRowH + 4, Dir: dirName(rtl), Bars: bars}
}

// columnChart lays bars out as columns, in time order for the reader.
func columnChart(id, title string, bars []chartBar, rtl bool) barChart {
	top := maxValue(bars)
	n := max(len(bars), 1)
	colW := chartWidth / n
	for i := range bars {
		b := &bars[i]
		slot := i
		if rtl {
			slot = n - 1 - i
		}
		b.H = b.Value * (chartColH - 40) / top
		b.X, b.W = slot*colW+colW/4, colW/2
		b.Y = chartColH - 20 - b.H
		b.LabelX, b.LabelY, b.LabelAnchor = slot*colW+colW/2, chartColH-4, "middle"
		b.ValueX, b.ValueY, b.ValueAnchor = b.LabelX, b.Y-4, "middle"
	}
	return barChart{ID: id, Title: title, Width: chartWidth, Height: chartColH,
		Dir: dirName(rtl), Bars: bars}
}

func dirName(rtl bool) string {
	if rtl {
		return "rtl"
	}
	return "ltr"
}

// maxValue is the largest value, at least 1, so that bars scale to it.
func maxValue(bars []chartBar) int {
	top := 1
	for _, b := range bars {
		top = max(top, b.Value)
	}
	return top
}
