package load

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/listen/listentest"
	"github.com/gatomqtt/gatomqtt/peers"
)

// startBroker serves the project's broker with lim on a loopback port for
// the test, and returns its address.
func startBroker(t *testing.T, lim broker.Limits) string {
	t.Helper()
	b, err := broker.New(broker.Config{Limits: lim})
	if err != nil {
		t.Fatal(err)
	}
	ln := listentest.Loopback(t)
	listentest.Serve(t, b, listen.Serve, ln)
	return ln.Addr().String()
}

// smallLimits are host limits cut down so that the attack scenarios reach
// them with small counts: 16 sessions, 64 queued messages per session and
// 128 stored in all, a slow consumer waited for 50 ms.
func smallLimits() broker.Limits {
	lim := broker.HostLimits
	lim.MaxSessions = 16
	lim.MaxQueued = 64
	lim.MaxInflight = 8
	lim.MaxMessages = 128
	lim.SlowConsumerWait = 50 * time.Millisecond
	return lim
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// checkReport checks what must hold of every scenario's report: one line,
// a TSV row with as many fields as its header, and a label.
func checkReport(t *testing.T, r Report, label string) {
	t.Helper()
	t.Logf("%s", r)
	if s := r.String(); strings.Contains(s, "\n") || !strings.HasPrefix(s, label+" ") {
		t.Errorf("String() = %q, want one line starting with the label %q", s, label)
	}
	if h, row := strings.Split(r.TSVHeader(), "\t"), strings.Split(r.TSV(), "\t"); len(h) != len(row) || row[0] != label {
		t.Errorf("TSV row %q does not fit header %q", r.TSV(), r.TSVHeader())
	}
	var md strings.Builder
	if err := WriteTSVTable(&md, strings.NewReader(r.TSVHeader()+"\n"+r.TSV()+"\n"+r.TSVHeader()+"\n")); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(md.String(), "\n"); n != 3 {
		t.Errorf("Markdown table of one row has %d lines, want 3:\n%s", n, md.String())
	}
}

// checkSlowConsumers checks the structure of a slow-consumers result:
// the counts add up and the hold times are ordered.
func checkSlowConsumers(t *testing.T, r *SlowConsumersResult, slow int) {
	t.Helper()
	checkReport(t, r, r.Run.Config.Label)
	res := r.Run
	if r.Slow != slow || res.Config.Publishers != 1 || res.Config.Subscribers != 1 || res.Config.QoS != 1 {
		t.Fatalf("ran %d slow consumers with %+v, want %d and one QoS 1 publisher and subscriber", r.Slow, res.Config, slow)
	}
	if res.Sent == 0 || res.Delivered == 0 {
		t.Fatalf("sent %d, fast subscriber received %d: want both > 0", res.Sent, res.Delivered)
	}
	if int64(res.Delivered)+res.Lost != int64(res.Sent) {
		t.Errorf("received %d + lost %d != sent %d", res.Delivered, res.Lost, res.Sent)
	}
	if !(0 < res.AckGapMax && res.AckGapMax <= res.AckWaitMax) || res.AckStalled < 0 {
		t.Errorf("PUBACK gap %v, wait %v, stalled %v: want 0 < gap <= wait", res.AckGapMax, res.AckWaitMax, res.AckStalled)
	}
	if res.SendRate <= 0 || res.Throughput <= 0 {
		t.Errorf("publisher %v msg/s, fast subscriber %v msg/s", res.SendRate, res.Throughput)
	}
}

func TestSlowConsumersInProcess(t *testing.T) {
	addr := startBroker(t, smallLimits())
	res, err := RunSlowConsumers(testContext(t), SlowConsumers{
		Config: Config{Addr: addr, Label: "gatomqtt", Count: 2000, PayloadSize: 256},
		Slow:   10,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkSlowConsumers(t, res, 10)
	if res.Filter != DefaultTopic+"/#" || res.ReceiveBuffer != DefaultReceiveBuffer {
		t.Errorf("filter %q, receive buffer %d: defaults not applied", res.Filter, res.ReceiveBuffer)
	}
	// What the broker promises whatever its policy: every message it
	// acknowledged reaches the subscriber that reads.
	if res.Run.Sent != 2000 || res.Run.Lost != 0 {
		t.Errorf("sent %d, fast subscriber lost %d: want 2000 and 0", res.Run.Sent, res.Run.Lost)
	}
}

func TestStorePressureInProcess(t *testing.T) {
	addr := startBroker(t, smallLimits())
	ctx := testContext(t)
	sp := StorePressure{
		Config:   Config{Addr: addr, Label: "gatomqtt", Count: 20, Drain: 300 * time.Millisecond, Stall: 2 * time.Second},
		Sessions: 2,
		Stored:   64,
	}
	for run := range 2 { // the second run starts from what the first cleaned up
		res, err := RunStorePressure(ctx, sp)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		checkStorePressure(t, res, 2, 64, 20)
	}
	// The sessions are gone: every session slot is free again.
	for i := range smallLimits().MaxSessions {
		c, err := dialWith(ctx, addr, dialOptions{clientID: "after-" + string(rune('a'+i)), clean: false, readBuf: 512, writeBuf: 512, timeout: time.Second})
		if err != nil {
			t.Fatalf("session %d after the runs: %v (did the scenario leave sessions behind?)", i, err)
		}
		defer c.abort()
	}
}

// checkStorePressure checks the structure of a store-pressure result.
func checkStorePressure(t *testing.T, r *StorePressureResult, sessions, stored, n int) {
	t.Helper()
	checkReport(t, r, r.Online.Config.Label)
	o := r.Online
	if r.Sessions != sessions || r.Stored != stored || o.Config.Count != n {
		t.Fatalf("%d sessions × %d, online count %d: want %d × %d, %d", r.Sessions, r.Stored, o.Config.Count, sessions, stored, n)
	}
	if r.FillStalled == "" && r.FillSent+r.FillUnacked != uint64(sessions*stored) {
		t.Errorf("fill: %d acked + %d unacked, want %d published", r.FillSent, r.FillUnacked, sessions*stored)
	}
	if o.Sent+o.Unacked != uint64(n) {
		t.Errorf("online: %d acked + %d unacked, want %d published", o.Sent, o.Unacked, n)
	}
	if int64(o.Delivered)+o.Lost != int64(o.Sent) {
		t.Errorf("online: received %d + lost %d != acknowledged %d", o.Delivered, o.Lost, o.Sent)
	}
	if o.Duplicates != 0 || o.Foreign != 0 {
		t.Errorf("online: %d duplicates, %d foreign messages (an offline session's message?)", o.Duplicates, o.Foreign)
	}
}

func TestWildcardPressureInProcess(t *testing.T) {
	addr := startBroker(t, smallLimits()) // 16 sessions: 12 + 2 for the runs fit
	res, err := RunWildcardPressure(testContext(t), WildcardPressure{
		Config:   Config{Addr: addr, Label: "gatomqtt", Publishers: 1, Subscribers: 1, QoS: 1, Count: 2000},
		Sessions: 12,
		Filters:  32,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkWildcardPressure(t, res, 12, 32)
}

// checkWildcardPressure checks the structure of a wildcard-pressure result.
func checkWildcardPressure(t *testing.T, r *WildcardPressureResult, sessions, filters int) {
	t.Helper()
	checkReport(t, r, r.Attacked.Config.Label)
	if r.Sessions != sessions || r.Filters != filters || r.Levels != DefaultWildcardLevels {
		t.Fatalf("%d sessions × %d filters of %d levels", r.Sessions, r.Filters, r.Levels)
	}
	// A session closed on SUBSCRIBE counts its unanswered filters refused.
	if connected := sessions - r.SessionsRefused; r.Granted+r.Refused != connected*filters {
		t.Errorf("granted %d + refused %d, want %d sessions × %d filters", r.Granted, r.Refused, connected, filters)
	}
	for _, res := range []*Result{r.Baseline, r.Attacked} {
		checkResult(t, res)
		if res.Lost != 0 {
			t.Errorf("lost %d at QoS 1", res.Lost)
		}
	}
	if want := r.Attacked.Throughput / r.Baseline.Throughput; r.Ratio != want {
		t.Errorf("ratio %v, want %v", r.Ratio, want)
	}
}

func TestSubscribeBatches(t *testing.T) {
	filters := make([]string, 32)
	for j := range filters {
		filters[j] = WildcardFilter(DefaultWildcardLevels, j)
	}
	if n := len(filters[0]); n != 2*124+3 {
		t.Fatalf("filter of %d bytes: %q", n, filters[0])
	}
	batches := subscribeBatches(filters, DefaultMaxSubscribeBytes)
	var all []string
	for _, b := range batches {
		size := 2
		for _, f := range b {
			size += 2 + len(f) + 1
		}
		if len(b) > 1 && size+5 > DefaultMaxSubscribeBytes {
			t.Errorf("batch of %d filters takes %d bytes", len(b), size)
		}
		all = append(all, b...)
	}
	if len(batches) != 2 || strings.Join(all, ",") != strings.Join(filters, ",") {
		t.Errorf("%d batches holding %d filters, want 2 holding all 32 in order", len(batches), len(all))
	}
}

// Against mosquitto the scenarios deliver what a broker without fixed
// bounds delivers: the online subscriber gets every message beside a full
// offline store, and no filter is refused.
func TestAttackScenariosAgainstMosquitto(t *testing.T) {
	m := peers.MosquittoFor(t, peers.MosquittoOptions{})
	t.Run("slow consumers", func(t *testing.T) {
		res, err := RunSlowConsumers(testContext(t), SlowConsumers{
			Config: Config{Addr: m.Addr, Label: "mosquitto", Count: 2000},
			Slow:   10,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkSlowConsumers(t, res, 10)
	})
	t.Run("store pressure", func(t *testing.T) {
		res, err := RunStorePressure(testContext(t), StorePressure{
			Config:   Config{Addr: m.Addr, Label: "mosquitto", Count: 100},
			Sessions: 2,
			Stored:   64,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkStorePressure(t, res, 2, 64, 100)
		if o := res.Online; o.Sent != 100 || o.Delivered != 100 {
			t.Errorf("online subscriber got %d of %d acknowledged, want 100 of 100", o.Delivered, o.Sent)
		}
		if res.FillSent != 128 {
			t.Errorf("fill: %d of 128 acknowledged", res.FillSent)
		}
	})
	t.Run("wildcard pressure", func(t *testing.T) {
		res, err := RunWildcardPressure(testContext(t), WildcardPressure{
			Config:   Config{Addr: m.Addr, Label: "mosquitto", Publishers: 1, Subscribers: 1, QoS: 1, Count: 2000},
			Sessions: 10,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkWildcardPressure(t, res, 10, DefaultWildcardFilters)
		if res.Granted != 10*DefaultWildcardFilters || res.Refused != 0 || res.SessionsRefused != 0 {
			t.Errorf("granted %d, refused %d filters, refused %d sessions; want all %d granted", res.Granted, res.Refused, res.SessionsRefused, 10*DefaultWildcardFilters)
		}
	})
}
