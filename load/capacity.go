package load

import (
	"context"
	"errors"
	"fmt"
)

// Capacity searches for the highest per-publisher rate at which the broker
// delivers everything on time: a probe run at a rate passes when it loses
// nothing, leaves nothing unacknowledged, and delivers at least 95 % of the
// offered messages per second (a broker that queues falls behind and its
// deliveries stretch past the publishing time). The rate doubles from
// start until a probe fails or maxRate is reached, then the search halves
// the interval between the last pass and the first failure until it is
// within 5 %. A failing probe is repeated once, and counts as a failure
// only if it fails again. Each probe publishes for cfg.Duration; cfg.Rate and
// cfg.Count are ignored.
//
// It returns the result of the fastest passing probe, named after the
// scenario with a "-max" suffix, or an error when even start fails.
func Capacity(ctx context.Context, cfg Config, start, maxRate int, progress func(*Result, bool)) (*Result, error) {
	return capacity(ctx, cfg, start, maxRate, progress, Run)
}

// capacity is Capacity with the probe run given, so that tests can drive
// the search with results of their choosing rather than with timing.
func capacity(ctx context.Context, cfg Config, start, maxRate int, progress func(*Result, bool),
	run func(context.Context, Config) (*Result, error)) (*Result, error) {
	if start < 1 || maxRate < start {
		return nil, fmt.Errorf("load: capacity search from %d to %d msg/s, want 1 <= start <= max", start, maxRate)
	}
	if cfg.Duration <= 0 {
		return nil, errors.New("load: capacity search needs a probe duration")
	}
	cfg.Count, cfg.Rate = 0, start
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg.Rate = 0
	name := cfg.Scenario() + "-max"
	var best *Result
	probe := func(rate int) (bool, error) {
		c := cfg
		c.Rate = rate
		res, err := run(ctx, c)
		if err != nil {
			return false, err
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
		ok := passes(res)
		if progress != nil {
			progress(res, ok)
		}
		if ok && (best == nil || rate > best.Config.Rate) {
			best = res
		}
		return ok, nil
	}
	if _, err := search(start, maxRate, confirmFailures(probe)); err != nil {
		return nil, err
	}
	if best == nil {
		return nil, fmt.Errorf("load: %s: the broker falls behind or loses messages even at %d msg/s per publisher", cfg.Scenario(), start)
	}
	best.Config.Name = name
	return best, nil
}

// passes reports whether a paced run kept up with what it offered.
func passes(r *Result) bool {
	offered := float64(r.Config.Rate) * float64(r.Config.Publishers) * float64(r.Config.Subscribers)
	return r.Sent > 0 && r.Lost == 0 && r.Unacked == 0 && r.Throughput >= 0.95*offered
}

// confirmFailures makes a failing probe count only when a second probe at
// the same rate fails too: on a shared machine one probe can fall behind
// because the load tool itself was descheduled, and a single false failure
// would end the doubling far below the broker's capacity.
func confirmFailures(ok func(int) (bool, error)) func(int) (bool, error) {
	return func(rate int) (bool, error) {
		good, err := ok(rate)
		if good || err != nil {
			return good, err
		}
		return ok(rate)
	}
}

// search finds the largest rate in [start, max] for which ok holds,
// assuming ok holds below some threshold and fails above it. It returns 0
// when ok(start) fails. It doubles, then bisects to within 5 %.
func search(start, max int, ok func(int) (bool, error)) (int, error) {
	pass, fail := 0, max+1
	for rate := start; ; rate *= 2 {
		if rate > max {
			rate = max
		}
		good, err := ok(rate)
		if err != nil {
			return 0, err
		}
		if !good {
			fail = rate
			break
		}
		pass = rate
		if rate == max {
			return max, nil
		}
	}
	if pass == 0 {
		return 0, nil
	}
	for fail-pass > 1 && float64(fail-pass) > 0.05*float64(pass) {
		mid := pass + (fail-pass)/2
		good, err := ok(mid)
		if err != nil {
			return 0, err
		}
		if good {
			pass = mid
		} else {
			fail = mid
		}
	}
	return pass, nil
}
