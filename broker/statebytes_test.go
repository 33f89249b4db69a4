package broker_test

import (
	"os"
	"os/exec"
	"runtime"
	"testing"

	"github.com/gatomqtt/gatomqtt/broker"
)

// measureEnv, set in the environment, makes TestStateBytesIsMeasured
// measure in this process instead of starting one to measure in.
const measureEnv = "GATOMQTT_MEASURE_NEW"

// TestStateBytesIsMeasured holds Stats.StateBytes to the memory New
// really takes, within 2 % of the bytes it allocates from the heap and
// maps (tables of a megabyte or more outside the heap, on hosts; see
// TestLargeBrokerCommitsNothingAtStart), and New to one allocation per
// table, however many slots the limits ask for.
func TestStateBytesIsMeasured(t *testing.T) {
	if os.Getenv(measureEnv) == "" {
		measureApart(t)
		return
	}
	four := broker.Limits{
		MaxSessions: 4, MaxSubscriptions: 4, MaxInflight: 2, MaxQueued: 4, MaxRetained: 4,
		MaxTopicLength: 48, MaxPayloadSize: 256, MaxPacketSize: 320, MaxClientIDLength: 23,
	}
	users := []broker.User{
		{"sensor", "s3cret"},
		{"a-rather-longer-user-name-for-a-dashboard", "a passphrase longer than the 32 bytes Go converts on the stack"},
		{"", ""},
	}
	for _, tc := range []struct {
		name string
		cfg  broker.Config
	}{
		{"pico", broker.Config{Limits: broker.PicoLimits}},
		{"esp32c3", broker.Config{Limits: broker.ESP32C3Limits}},
		{"host", broker.Config{Limits: broker.HostLimits}},
		{"eight sessions, defaults filled in", broker.Config{Limits: smallLimits()}},
		{"four sessions of 256-byte messages", broker.Config{Limits: four}},
		{"pico with users", broker.Config{Limits: broker.PicoLimits, Users: users}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state, total, mallocs := measureNew(t, tc.cfg)
			t.Logf("StateBytes %d, allocated %d bytes in %d allocations", state, total, mallocs)
			if d := state - total; d*50 > total || -d*50 > total {
				t.Errorf("StateBytes %d, New allocated %d: %+.1f %%, want within 2 %%", state, total, 100*float64(d)/float64(total))
			}
			// The Broker, the byte buffers, the index lists, 12 tables of
			// structures (the subscription tree's nodes the last) and,
			// with users, 2 more; with mapped tables, the list of them
			// and the cleanup that unmaps them.
			if mallocs > 20 {
				t.Errorf("New made %d allocations, want at most 20", mallocs)
			}
		})
	}
}

// measureApart runs TestStateBytesIsMeasured again in a process that runs
// nothing else: TotalAlloc counts the allocations of every goroutine, and
// goroutines other tests leave behind (writers, timers, pipes) may
// allocate at any moment. A build for the race detector allocates each
// table twice, since instrumented code keeps the make of the append(nil,
// make(...)...) that New allocates with, so under -race the process is a
// plain build of the package by go test.
func measureApart(t *testing.T) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestStateBytesIsMeasured$", "-test.count=1", "-test.v")
	if raceEnabled {
		gocmd, err := exec.LookPath("go")
		if err != nil {
			t.Skip("built for the race detector, and no go command to build without it: ", err)
		}
		cmd = exec.Command(gocmd, "test", "-race=false", "-vet=off", "-run=^TestStateBytesIsMeasured$", "-count=1", "-v", ".")
	}
	cmd.Env = append(os.Environ(), measureEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("measuring in a process of its own: %v\n%s", err, out)
	}
	t.Logf("measured in a process of its own:\n%s", out)
}

// measureNew builds a broker from cfg a few times and returns its
// StateBytes with the least heap and allocations New was seen to take.
func measureNew(t *testing.T, cfg broker.Config) (state, total, mallocs int) {
	t.Helper()
	total, mallocs = -1, -1
	for range 5 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b, err := broker.New(cfg)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		state = b.Stats().StateBytes
		mapped := broker.MappedBytes(b)
		b.Close()
		if n := int(after.TotalAlloc-before.TotalAlloc) + mapped; total < 0 || n < total {
			total = n
		}
		if n := int(after.Mallocs - before.Mallocs); mallocs < 0 || n < mallocs {
			mallocs = n
		}
	}
	return state, total, mallocs
}
