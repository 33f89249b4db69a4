package linefault

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config says what the line does wrong. Each rate is the probability that
// one byte, in either direction, suffers the fault; the faults are drawn
// independently, in the order drop, corrupt, duplicate, delay: a dropped
// byte suffers nothing else, and a duplicated byte that is delayed is
// delayed with its copy.
type Config struct {
	Drop    float64 // the byte is lost
	Corrupt float64 // one bit of the byte, chosen at random, is flipped
	Dup     float64 // the byte arrives twice
	// Delay holds the byte back for a random time up to DelayMax, while
	// the bytes after it go on: it arrives late and out of order.
	Delay    float64
	DelayMax time.Duration
	// Seed seeds the fault sources (one per direction): the same seed
	// and the same bytes give the same faults at the same positions.
	Seed uint64
}

// DefaultDelayMax is the DelayMax that Parse takes when a delay rate is
// given without one.
const DefaultDelayMax = 5 * time.Millisecond

// Validate reports a rate outside [0, 1] or a delay without a positive
// DelayMax.
func (c Config) Validate() error {
	for _, r := range []struct {
		key string
		v   float64
	}{{"drop", c.Drop}, {"corrupt", c.Corrupt}, {"dup", c.Dup}, {"delay", c.Delay}} {
		if !(r.v >= 0 && r.v <= 1) { // also rejects NaN
			return fmt.Errorf("linefault: %s=%v is not a probability in [0, 1]", r.key, r.v)
		}
	}
	if c.DelayMax < 0 {
		return fmt.Errorf("linefault: delaymax=%v is negative", c.DelayMax)
	}
	if c.Delay > 0 && c.DelayMax == 0 {
		return errors.New("linefault: delay needs a positive delaymax")
	}
	return nil
}

// String returns c in the syntax Parse reads, so that a run's faults can
// be logged and replayed.
func (c Config) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return "drop=" + f(c.Drop) + ",corrupt=" + f(c.Corrupt) + ",dup=" + f(c.Dup) +
		",delay=" + f(c.Delay) + ",delaymax=" + c.DelayMax.String() +
		",seed=" + strconv.FormatUint(c.Seed, 10)
}

// Parse reads a fault spec: comma-separated key=value pairs among
//
//	drop=P corrupt=P dup=P delay=P   rates, P in [0, 1]
//	delaymax=D                       a time.ParseDuration value
//	seed=N                           an unsigned 64-bit integer
//
// such as "drop=0.001,corrupt=0.001,dup=0.0005,delay=0.001,delaymax=5ms,seed=42".
// Every key is optional: a missing rate is 0, a missing seed is 0 (so a
// spec without one still replays), and a missing delaymax is
// DefaultDelayMax. The empty spec is a perfect line. Errors name the key
// and value at fault.
func Parse(spec string) (Config, error) {
	var c Config
	seen := map[string]bool{}
	delayMaxSet := false
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, val, ok := strings.Cut(item, "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok {
			return Config{}, fmt.Errorf("linefault: %q is not key=value", item)
		}
		if seen[key] {
			return Config{}, fmt.Errorf("linefault: %s given twice", key)
		}
		seen[key] = true
		var err error
		switch key {
		case "drop":
			c.Drop, err = parseRate(val)
		case "corrupt":
			c.Corrupt, err = parseRate(val)
		case "dup":
			c.Dup, err = parseRate(val)
		case "delay":
			c.Delay, err = parseRate(val)
		case "delaymax":
			c.DelayMax, err = time.ParseDuration(val)
			if err == nil && c.DelayMax <= 0 {
				err = errors.New("not a positive duration")
			}
			delayMaxSet = true
		case "seed":
			c.Seed, err = strconv.ParseUint(val, 10, 64)
		default:
			return Config{}, fmt.Errorf("linefault: unknown key %q (want drop, corrupt, dup, delay, delaymax or seed)", key)
		}
		if err != nil {
			return Config{}, fmt.Errorf("linefault: %s=%q: %w", key, val, err)
		}
	}
	if !delayMaxSet {
		c.DelayMax = DefaultDelayMax
	}
	return c, c.Validate()
}

func parseRate(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errors.New("not a number")
	}
	if !(v >= 0 && v <= 1) {
		return 0, errors.New("not a probability in [0, 1]")
	}
	return v, nil
}
