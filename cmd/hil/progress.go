package main

import (
	"fmt"
	"io"
)

// progress draws a one-line bar on a terminal's standard error, as
// esptool does, redrawing only when the percentage changes.
type progress struct {
	w     io.Writer
	total int
	last  int // percentage drawn, -1 before the first
}

func newProgress(w io.Writer, total int) *progress { return &progress{w: w, total: total, last: -1} }

func (p *progress) update(done, total int) {
	if total > 0 {
		p.total = total
	}
	pct := 100
	if p.total > 0 {
		pct = done * 100 / p.total
	}
	if pct == p.last {
		return
	}
	p.last = pct
	const width = 40
	n := pct * width / 100
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < n {
			bar[i] = '='
		}
	}
	fmt.Fprintf(p.w, "\rWriting [%s] %3d %%", bar, pct)
}

// done ends the bar's line.
func (p *progress) done() {
	if p.last >= 0 {
		fmt.Fprintln(p.w)
	}
}

// abort ends the bar's line, so that an error starts on a line of its own.
func (p *progress) abort() { p.done() }
