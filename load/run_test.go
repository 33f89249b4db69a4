package load

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestConfigValidation(t *testing.T) {
	ok := Config{Addr: "127.0.0.1:1", Publishers: 1, Subscribers: 1, Count: 1}
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{"valid", func(*Config) {}, ""},
		{"no address", func(c *Config) { c.Addr = "" }, "no broker address"},
		{"no publishers", func(c *Config) { c.Publishers = 0 }, "publishers"},
		{"no subscribers", func(c *Config) { c.Subscribers = 0 }, "subscribers"},
		{"QoS 2", func(c *Config) { c.QoS = 2 }, "QoS 2"},
		{"payload too small for the stamp", func(c *Config) { c.PayloadSize = StampSize - 1 }, "send stamp"},
		{"neither count nor duration", func(c *Config) { c.Count = 0 }, "neither"},
		{"window past the identifiers", func(c *Config) { c.Window = 70000 }, "window"},
		{"negative rate", func(c *Config) { c.Rate = -1 }, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			got, err := c.withDefaults()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if got.PayloadSize != DefaultPayloadSize || got.Window != DefaultWindow || got.Topic != DefaultTopic || got.Drain != DefaultDrain {
					t.Fatalf("defaults not filled in: %+v", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestScenario(t *testing.T) {
	c := Config{Publishers: 4, Subscribers: 1, QoS: 1, PayloadSize: 64}
	if got := c.Scenario(); got != "4p-1s-q1-64B" {
		t.Errorf("Scenario = %q", got)
	}
	c.Rate = 500
	if got := c.Scenario(); got != "4p-1s-q1-64B-500/s" {
		t.Errorf("Scenario with rate = %q", got)
	}
}

func TestStampRoundTrip(t *testing.T) {
	b := make([]byte, 20)
	want := stamp{Sent: 123456789 * time.Nanosecond, Publisher: 7, Seq: 1 << 31}
	want.put(b)
	got, err := readStamp(b)
	if err != nil || got != want {
		t.Fatalf("readStamp = %+v, %v; want %+v", got, err, want)
	}
	if _, err := readStamp(b[:StampSize-1]); err == nil {
		t.Fatal("readStamp accepted a short payload")
	}
}

// checkResult checks what must hold of every finished run.
func checkResult(t *testing.T, res *Result) {
	t.Helper()
	t.Logf("%s", res)
	if res.Sent == 0 || res.Delivered == 0 {
		t.Fatalf("sent %d, delivered %d: want both > 0", res.Sent, res.Delivered)
	}
	if len(res.PerSubscriber) != res.Config.Subscribers {
		t.Fatalf("%d subscriber results, want %d", len(res.PerSubscriber), res.Config.Subscribers)
	}
	if res.Expected != res.Sent*uint64(res.Config.Subscribers) {
		t.Fatalf("expected %d, want sent %d × %d subscribers", res.Expected, res.Sent, res.Config.Subscribers)
	}
	if res.Foreign != 0 {
		t.Errorf("%d foreign messages", res.Foreign)
	}
	l := res.Latency
	if l.Samples < res.Delivered {
		t.Errorf("%d latency samples for %d deliveries", l.Samples, res.Delivered)
	}
	if !(0 < l.P50 && l.Min <= l.P50 && l.P50 <= l.P99 && l.P99 <= l.Max) {
		t.Errorf("latency not ordered: min %v p50 %v p99 %v max %v", l.Min, l.P50, l.P99, l.Max)
	}
	if res.Throughput <= 0 || res.DeliveryTime <= 0 {
		t.Errorf("throughput %v over %v", res.Throughput, res.DeliveryTime)
	}
}

func TestRunAgainstFakeBroker(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		drop   int
		wantTo func(t *testing.T, res *Result)
	}{
		{
			name: "QoS 1 fan-in delivers everything",
			cfg:  Config{Publishers: 3, Subscribers: 1, QoS: 1, Count: 2000, Window: 16},
			wantTo: func(t *testing.T, res *Result) {
				if res.Sent != 6000 || res.Delivered != 6000 || res.Lost != 0 || res.Unacked != 0 {
					t.Errorf("sent %d delivered %d lost %d unacked %d, want 6000 6000 0 0", res.Sent, res.Delivered, res.Lost, res.Unacked)
				}
				if !(0 < res.AckGapMax && res.AckGapMax <= res.AckWaitMax && res.AckWaitMax < 10*time.Second) {
					t.Errorf("PUBACK gap %v, wait %v: want 0 < gap <= wait < 10 s", res.AckGapMax, res.AckWaitMax)
				}
			},
		},
		{
			name: "QoS 0 fan-out delivers everything",
			cfg:  Config{Publishers: 1, Subscribers: 3, QoS: 0, Count: 3000, PayloadSize: 200},
			wantTo: func(t *testing.T, res *Result) {
				if res.Sent != 3000 || res.Delivered != 9000 || res.Lost != 0 {
					t.Errorf("sent %d delivered %d lost %d, want 3000 9000 0", res.Sent, res.Delivered, res.Lost)
				}
			},
		},
		{
			name: "a broker that drops every tenth message shows that loss",
			cfg:  Config{Publishers: 2, Subscribers: 2, QoS: 1, Count: 500, Drain: 200 * time.Millisecond},
			drop: 10,
			wantTo: func(t *testing.T, res *Result) {
				if res.Sent != 1000 || res.Lost != 2*100 {
					t.Errorf("sent %d lost %d, want 1000 sent and 200 lost", res.Sent, res.Lost)
				}
				for i, s := range res.PerSubscriber {
					if s.Lost != 100 || s.Received != 900 {
						t.Errorf("subscriber %d received %d lost %d, want 900 and 100", i, s.Received, s.Lost)
					}
				}
			},
		},
		{
			name: "a rate and a duration bound the messages sent",
			cfg:  Config{Publishers: 1, Subscribers: 1, QoS: 0, Rate: 1000, Duration: 300 * time.Millisecond},
			wantTo: func(t *testing.T, res *Result) {
				// 300 ms at 1000/s is 300 messages; allow for a slow start.
				if res.Sent < 100 || res.Sent > 301 {
					t.Errorf("sent %d, want about 300", res.Sent)
				}
				if res.Lost != 0 {
					t.Errorf("lost %d", res.Lost)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := startFakeBroker(t, tt.drop)
			cfg := tt.cfg
			cfg.Addr = b.addr()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := Run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, res)
			tt.wantTo(t, res)
		})
	}
}

func TestRunFailsClearlyWithoutBroker(t *testing.T) {
	ln := listenAndClose(t)
	_, err := Run(context.Background(), Config{Addr: ln, Publishers: 1, Subscribers: 1, Count: 1})
	if err == nil || !strings.Contains(err.Error(), "connect") {
		t.Fatalf("err = %v, want a connection error", err)
	}
}

func TestRunFailsWhenTheBrokerStalls(t *testing.T) {
	tests := []struct {
		name    string
		broker  *fakeBroker
		cfg     Config
		wantErr string
	}{
		{"no CONNACK", &fakeBroker{silent: true}, Config{Count: 10}, "CONNACK"},
		{"no PUBACK", &fakeBroker{swallow: true}, Config{QoS: 1, Count: 1000, Window: 8}, "stalled"},
		{"no PUBACK within a duration", &fakeBroker{swallow: true}, Config{QoS: 1, Duration: time.Minute, Window: 8}, "stalled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := startFake(t, tt.broker)
			cfg := tt.cfg
			cfg.Addr, cfg.Publishers, cfg.Subscribers, cfg.Stall = b.addr(), 2, 1, 300*time.Millisecond
			done := make(chan error, 1)
			go func() {
				_, err := Run(context.Background(), cfg)
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				t.Log(err)
			case <-time.After(20 * time.Second):
				t.Fatal("Run hung on a stalled broker")
			}
		})
	}
}

func TestRunCancelledReportsWhatItMeasured(t *testing.T) {
	b := startFakeBroker(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := Config{Addr: b.addr(), Publishers: 1, Subscribers: 1, Rate: 1000, Duration: time.Hour}
	// Cancel once the first deliveries prove the run is under way.
	var res *Result
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err = Run(ctx, cfg)
	}()
	select {
	case <-b.published1:
	case <-time.After(10 * time.Second):
		t.Fatal("no message published within 10 s")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not end after cancellation")
	}
	if err != nil {
		t.Fatalf("cancelled run failed: %v", err)
	}
	if res.Sent == 0 || res.PublishTime >= time.Hour {
		t.Fatalf("sent %d in %v", res.Sent, res.PublishTime)
	}
}

func TestRunReportsBrokerMemory(t *testing.T) {
	b := startFakeBroker(t, 0)
	// The fake broker runs in this process, so this process's memory is its memory.
	res, err := Run(context.Background(), Config{Addr: b.addr(), Publishers: 1, Subscribers: 1, Count: 100, PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	if res.MemoryBefore == nil || res.MemoryAfter == nil || res.MemoryAfter.RSS == 0 || res.MemoryAfter.Peak < res.MemoryAfter.RSS {
		t.Fatalf("memory before %+v after %+v", res.MemoryBefore, res.MemoryAfter)
	}
}

// listenAndClose returns a loopback address where nothing listens.
func listenAndClose(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
