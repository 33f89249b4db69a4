package load

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSearch(t *testing.T) {
	tests := []struct {
		name       string
		start, max int
		threshold  int // ok(rate) holds for rate <= threshold
		want       int
		maxProbes  int
	}{
		{"threshold between doublings", 1000, 1 << 20, 23000, 23000, 20},
		{"threshold above max", 1000, 50000, 1 << 30, 50000, 8},
		{"threshold at start", 1000, 50000, 1000, 1000, 10},
		{"nothing passes", 1000, 50000, 10, 0, 1},
		{"small rates", 1, 100, 7, 7, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			probes := 0
			got, err := search(tt.start, tt.max, func(rate int) (bool, error) {
				probes++
				if rate < tt.start || rate > tt.max {
					t.Fatalf("probed %d outside [%d, %d]", rate, tt.start, tt.max)
				}
				return rate <= tt.threshold, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Within 5 % below the true answer, never above it.
			if got > tt.want || float64(tt.want-got) > 0.05*float64(tt.want) {
				t.Errorf("search = %d, want %d (within 5 %% below)", got, tt.want)
			}
			if probes > tt.maxProbes {
				t.Errorf("%d probes, want at most %d", probes, tt.maxProbes)
			}
		})
	}
	boom := errors.New("boom")
	if _, err := search(1, 10, func(int) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Errorf("probe error not returned: %v", err)
	}
}

func TestPasses(t *testing.T) {
	base := Result{Config: Config{Publishers: 2, Subscribers: 3, Rate: 100}, Sent: 200, Throughput: 600}
	tests := []struct {
		name string
		edit func(*Result)
		want bool
	}{
		{"kept up", func(*Result) {}, true},
		{"slightly slow", func(r *Result) { r.Throughput = 580 }, true},
		{"fell behind", func(r *Result) { r.Throughput = 500 }, false},
		{"lost one", func(r *Result) { r.Lost = 1 }, false},
		{"unacknowledged", func(r *Result) { r.Unacked = 1 }, false},
		{"sent nothing", func(r *Result) { r.Sent = 0 }, false},
	}
	for _, tt := range tests {
		r := base
		tt.edit(&r)
		if got := passes(&r); got != tt.want {
			t.Errorf("%s: passes = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCapacityAgainstFakeBroker(t *testing.T) {
	b := startFakeBroker(t, 0)
	cfg := Config{Addr: b.addr(), Publishers: 1, Subscribers: 1, QoS: 1, Duration: 100 * time.Millisecond}
	var probes int
	res, err := Capacity(context.Background(), cfg, 500, 2000, func(*Result, bool) { probes++ })
	if err != nil {
		t.Fatal(err)
	}
	// The fake keeps up with 2000 msg/s easily: 500, 1000, 2000, all pass.
	if res.Config.Rate != 2000 || probes != 3 {
		t.Errorf("capacity %d msg/s after %d probes, want 2000 after 3", res.Config.Rate, probes)
	}
	if got := res.Config.Scenario(); got != "1p-1s-q1-64B-max" {
		t.Errorf("scenario %q", got)
	}
	if !strings.Contains(res.TSV(), "1p-1s-q1-64B-max\t") {
		t.Errorf("TSV row lacks the scenario name: %q", res.TSV())
	}
}

func TestCapacityWhenNothingPasses(t *testing.T) {
	b := startFake(t, &fakeBroker{dropEvery: 2})
	cfg := Config{Addr: b.addr(), Publishers: 1, Subscribers: 1, Duration: 100 * time.Millisecond, Drain: 100 * time.Millisecond}
	_, err := Capacity(context.Background(), cfg, 100, 1000, nil)
	if err == nil || !strings.Contains(err.Error(), "even at 100") {
		t.Fatalf("err = %v, want the search to report that nothing passed", err)
	}
}

func TestConfirmFailures(t *testing.T) {
	calls := map[int]int{}
	// Fails the first probe at every rate, and every probe above 50.
	flaky := func(rate int) (bool, error) {
		calls[rate]++
		return calls[rate] > 1 && rate <= 50, nil
	}
	got, err := search(10, 1000, confirmFailures(flaky))
	if err != nil {
		t.Fatal(err)
	}
	if got > 50 || got < 47 {
		t.Errorf("search through flaky probes = %d, want 48 to 50", got)
	}
	if calls[10] != 2 || calls[80] != 2 {
		t.Errorf("probes per rate %v: want each failure probed twice", calls)
	}
}
