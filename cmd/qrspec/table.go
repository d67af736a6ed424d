package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// cell counts the outcomes of one level and size.
type cell struct {
	cases, fits int
	decoded     []int // per variant
}

// pass says whether every case fitted and decoded in every variant.
func (c cell) pass() bool {
	for _, n := range c.decoded {
		if n != c.cases {
			return false
		}
	}
	return c.fits == c.cases
}

// grid is the table: cells by level, then by size from minMM.
type grid struct {
	minMM, maxMM int
	tokens       int
	cells        [][]cell
}

func newGrid(levels, minMM, maxMM, tokens int) *grid {
	g := &grid{minMM: minMM, maxMM: maxMM, tokens: tokens, cells: make([][]cell, levels)}
	for l := range g.cells {
		g.cells[l] = make([]cell, maxMM-minMM+1)
		for s := range g.cells[l] {
			g.cells[l][s].decoded = make([]int, len(variants))
		}
	}
	return g
}

// add counts an outcome and reports whether its cell is now complete.
func (g *grid) add(o outcome) bool {
	c := &g.cells[o.level][o.sizeMM-g.minMM]
	c.cases++
	if o.fits {
		c.fits++
	}
	for i, ok := range o.decoded {
		if ok {
			c.decoded[i]++
		}
	}
	return c.cases == g.tokens
}

// print writes the table and, per level, the smallest size from which every
// measured size passes every case, so a lucky pass below a failure does not
// count.
func (g *grid) print(w io.Writer, levels []level, infos []codeInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := []string{"level", "mm", "version", "module mm"}
	for _, v := range variants {
		head = append(head, v.name)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\tfits\t")
	for l, row := range g.cells {
		for s, c := range row {
			size := g.minMM + s
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t", levels[l].name, size, infos[l].version,
				float64(size)/float64(infos[l].modules()))
			for _, n := range c.decoded {
				fmt.Fprintf(tw, "%s\t", rate(n, c.cases))
			}
			fmt.Fprintf(tw, "%s\t\n", rate(c.fits, c.cases))
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}

	fmt.Fprintln(w)
	for l, row := range g.cells {
		fmt.Fprintf(w, "level %s (version %d, %d modules): %s\n", levels[l].name,
			infos[l].version, infos[l].modules(), g.threshold(row))
	}
	return nil
}

// threshold describes the smallest size from which every larger measured
// size passes.
func (g *grid) threshold(row []cell) string {
	from := -1
	for s := len(row) - 1; s >= 0 && row[s].pass(); s-- {
		from = s
	}
	if from < 0 {
		return fmt.Sprintf("no size up to %d mm passes every case", g.maxMM)
	}
	return fmt.Sprintf("every case passes from %d mm", g.minMM+from)
}

// rate is "n/of", or "-" when nothing was measured.
func rate(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d", n, of)
}
