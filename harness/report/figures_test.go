package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

func TestFiguresRoundTripAndTable(t *testing.T) {
	spec := func(labels []string, entries ...types.ReportEntry) types.SpecReport {
		return types.SpecReport{LeafNodeLabels: labels, ReportEntries: entries}
	}
	entry := func(name string, v any) types.ReportEntry {
		e := types.ReportEntry{Name: name}
		e.Value = types.WrapEntryValue(v)
		return e
	}
	r := types.Report{SpecReports: types.SpecReports{
		spec([]string{"memory"}, entry(FigurePrefix+"broker state bytes", 46784), entry("alert", "x")),
		spec([]string{"other"}, entry(FigurePrefix+"ignored", 1)),
	}}
	fs := Figures("memory", "twin:pico", r)
	if len(fs) != 1 || fs[0].Name != "broker state bytes" || fs[0].Value != "46784" {
		t.Fatalf("Figures = %+v", fs)
	}
	fs = append(fs, Figure{Suite: "memory", Target: "inproc:pico", Name: "heap in use at rest", Value: "1024"})
	var buf bytes.Buffer
	if err := WriteFigures(&buf, fs); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFigures(&buf)
	if err != nil || len(back) != 2 || back[1] != fs[1] {
		t.Fatalf("ReadFigures = %+v, %v", back, err)
	}
	buf.Reset()
	if err := WriteFigureTable(&buf, back); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := [][]string{
		{"figure", "inproc:pico", "twin:pico"},
		{"broker", "state", "bytes", "-", "46784"},
		{"heap", "in", "use", "at", "rest", "1024", "-"},
	}
	if len(lines) != len(want) {
		t.Fatalf("table:\n%s", buf.String())
	}
	for i, w := range want {
		if got := strings.Fields(lines[i]); strings.Join(got, " ") != strings.Join(w, " ") {
			t.Errorf("row %d = %q, want %q", i, got, w)
		}
	}
}
