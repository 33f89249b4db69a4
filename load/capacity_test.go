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

// fakeProbes stands in for Run in capacity searches: a probe at a rate up
// to threshold keeps up with what it offered, one above it delivers half,
// and the first probe at each rate in flakyAt falls behind once.
type fakeProbes struct {
	threshold int
	flakyAt   map[int]bool
	err       error // returned by every probe when set

	calls map[int]int
	cfgs  []Config
}

func (f *fakeProbes) run(ctx context.Context, c Config) (*Result, error) {
	if f.calls == nil {
		f.calls = map[int]int{}
	}
	f.calls[c.Rate]++
	f.cfgs = append(f.cfgs, c)
	if f.err != nil {
		return nil, f.err
	}
	offered := float64(c.Rate * c.Publishers * c.Subscribers)
	res := &Result{Config: c, Sent: uint64(c.Rate), Throughput: offered}
	if c.Rate > f.threshold || f.flakyAt[c.Rate] && f.calls[c.Rate] == 1 {
		res.Throughput = offered / 2
	}
	return res, ctx.Err()
}

func TestCapacitySearch(t *testing.T) {
	base := Config{Addr: "fake:1883", Publishers: 1, Subscribers: 2, QoS: 1, Duration: 100 * time.Millisecond, Count: 7, Rate: 3}
	tests := []struct {
		name       string
		start, max int
		probes     fakeProbes
		want       int // the rate of the result; 0 for an error
		wantErr    string
		wantCalls  map[int]int // probes at these rates, when given
	}{
		{name: "keeps up to the ceiling", start: 500, max: 2000, probes: fakeProbes{threshold: 1 << 30},
			want: 2000, wantCalls: map[int]int{500: 1, 1000: 1, 2000: 1}},
		{name: "falls behind between doublings", start: 500, max: 2000, probes: fakeProbes{threshold: 1500},
			want: 1500, wantCalls: map[int]int{500: 1, 1000: 1, 2000: 2, 1500: 1}},
		{name: "a single slow probe is retried", start: 500, max: 2000, probes: fakeProbes{threshold: 1 << 30, flakyAt: map[int]bool{1000: true}},
			want: 2000, wantCalls: map[int]int{500: 1, 1000: 2, 2000: 1}},
		{name: "nothing passes", start: 500, max: 2000, probes: fakeProbes{threshold: 100},
			wantErr: "even at 500", wantCalls: map[int]int{500: 2}},
		{name: "probe error", start: 500, max: 2000, probes: fakeProbes{err: errors.New("broker gone")},
			wantErr: "broker gone", wantCalls: map[int]int{500: 1}},
		{name: "start above max", start: 500, max: 400, wantErr: "want 1 <= start <= max", wantCalls: map[int]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reported []int
			progress := func(r *Result, ok bool) {
				if ok != passes(r) {
					t.Errorf("progress told %v for a probe that passes=%v", ok, passes(r))
				}
				reported = append(reported, r.Config.Rate)
			}
			f := tt.probes
			res, err := capacity(context.Background(), base, tt.start, tt.max, progress, f.run)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if res.Config.Rate != tt.want {
				t.Errorf("capacity %d msg/s, want %d", res.Config.Rate, tt.want)
			}
			if tt.wantCalls != nil {
				for rate, n := range tt.wantCalls {
					if f.calls[rate] != n {
						t.Errorf("%d probes at %d msg/s, want %d (all: %v)", f.calls[rate], rate, n, f.calls)
					}
				}
			}
			if tt.probes.err == nil && len(reported) != len(f.cfgs) {
				t.Errorf("progress called %d times for %d probes", len(reported), len(f.cfgs))
			}
			for _, c := range f.cfgs {
				if c.Count != 0 || c.Duration != base.Duration || c.Window != DefaultWindow || c.Name != "" {
					t.Errorf("probe config %+v: want no count, the base duration and defaults filled in", c)
				}
			}
			if err != nil {
				return
			}
			if got := res.Config.Scenario(); got != "1p-2s-q1-64B-max" {
				t.Errorf("scenario %q, want 1p-2s-q1-64B-max", got)
			}
			if !strings.HasPrefix(res.TSV(), "fake:1883\t1p-2s-q1-64B-max\t") {
				t.Errorf("TSV row lacks the scenario name: %q", res.TSV())
			}
		})
	}
}

func TestCapacityStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := fakeProbes{threshold: 1 << 30}
	cfg := Config{Addr: "fake:1883", Publishers: 1, Subscribers: 1, Duration: time.Second}
	if _, err := capacity(ctx, cfg, 1, 100, nil, f.run); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(f.cfgs) != 1 {
		t.Errorf("%d probes after cancellation, want 1", len(f.cfgs))
	}
}

// TestCapacityAgainstFakeBroker runs the search end to end. Whether a probe
// keeps up depends on scheduling, so it asks only for a result: at 2 to 8
// msg/s for 100 ms each probe sends one message, and at 2 msg/s that
// message passes when it arrives within half a second.
func TestCapacityAgainstFakeBroker(t *testing.T) {
	b := startFakeBroker(t, 0)
	cfg := Config{Addr: b.addr(), Publishers: 1, Subscribers: 1, QoS: 1, Duration: 100 * time.Millisecond}
	probes := 0
	res, err := Capacity(context.Background(), cfg, 2, 8, func(*Result, bool) { probes++ })
	if err != nil {
		t.Fatal(err)
	}
	if res.Config.Rate < 2 || res.Delivered == 0 || probes == 0 {
		t.Errorf("capacity %d msg/s, %d delivered, after %d probes: want a passing probe", res.Config.Rate, res.Delivered, probes)
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
