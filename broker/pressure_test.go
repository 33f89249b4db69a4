package broker_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/brokertest"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// logLines collects what a broker logs, for tests.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// with returns the lines that contain every one of words.
func (l *logLines) with(words ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var got []string
next:
	for _, line := range l.lines {
		for _, w := range words {
			if !strings.Contains(line, w) {
				continue next
			}
		}
		got = append(got, line)
	}
	return got
}

// leaveOffline connects a persistent session subscribed to filter at QoS 1
// and disconnects it.
func leaveOffline(t *testing.T, b *broker.Broker, id, filter string) {
	t.Helper()
	c := mustConnect(t, b, id, false)
	c.subscribe(filter, 1)
	c.disconnect() // returns once ServeConn has
}

// TestOfflineSessionsCannotTakeTheStore: sessions that are offline take
// their share of the message store and no more, so that an online
// subscriber still gets every message, and what the offline ones lose is
// counted and logged.
func TestOfflineSessionsCannotTakeTheStore(t *testing.T) {
	var log logLines
	lim := smallLimits()
	lim.MaxQueued = 32
	lim.MaxMessages = 64 // offline share: 32
	b := newBroker(t, broker.Config{Limits: lim, Logf: log.logf})
	for i := range 4 {
		leaveOffline(t, b, "att"+strconv.Itoa(i), "att/"+strconv.Itoa(i))
	}
	pub := mustConnect(t, b, "pub", true)
	for i := range 4 {
		for j := range 32 {
			pub.publish("att/"+strconv.Itoa(i), strconv.Itoa(j), 1, false)
		}
	}
	st := b.Stats()
	if st.OfflineMessages != 32 || st.DroppedBy[broker.DropOfflineQueueFull] != 4*32-32 {
		t.Fatalf("offline sessions hold %d messages and lost %d, want 32 and 96", st.OfflineMessages, st.DroppedBy[broker.DropOfflineQueueFull])
	}
	if len(log.with("offline queue full")) == 0 {
		t.Errorf("offline drops not logged; log: %q", log.lines)
	}

	live := mustConnect(t, b, "live", true)
	live.subscribe("live", 1)
	const n = 20
	for i := range n {
		pub.publish("live", strconv.Itoa(i), 1, false)
		live.ack(live.expectPublish("live", strconv.Itoa(i)))
	}
	if st := b.Stats(); st.DroppedBy[broker.DropStoreFull] != 0 {
		t.Errorf("%d messages dropped for want of store slots", st.DroppedBy[broker.DropStoreFull])
	}
}

// TestOfflineQueueFullIsCountedAndLogged: an offline session's queue keeps
// its oldest messages; the new ones it has no room for are counted and
// logged, once per interval.
func TestOfflineQueueFullIsCountedAndLogged(t *testing.T) {
	var log logLines
	lim := smallLimits() // MaxQueued 8
	clock := brokertest.NewClock(time.Unix(0, 0))
	b := newBroker(t, broker.Config{Limits: lim, Logf: log.logf, Clock: clock})
	leaveOffline(t, b, "away", "t")
	pub := mustConnect(t, b, "pub", true)
	for i := range 20 {
		pub.publish("t", strconv.Itoa(i), 1, false)
	}
	if got := b.Stats().DroppedBy[broker.DropOfflineQueueFull]; got != 12 {
		t.Errorf("%d drops counted, want 12", got)
	}
	if got := log.with("offline queue full", `"away"`); len(got) != 1 {
		t.Errorf("logged %q, want one line for the first drop", got)
	}
	clock.Advance(broker.NoticeInterval)
	pub.publish("t", "late", 1, false)
	if got := log.with("offline queue full", "and 11 more"); len(got) != 1 {
		t.Errorf("after the interval, logged %q, want one line counting the 11 unlogged drops", log.lines)
	}
	away := mustConnect(t, b, "away", false)
	for i := range 8 {
		away.ack(away.expectPublish("t", strconv.Itoa(i)))
	}
	away.expectNothing()
}

// TestSessionTableFullEvictsOldestOffline: clients that connect once with
// clean session 0 and leave cannot lock others out. A new client takes
// the place of the session offline longest; without EvictOfflineSessions
// it is refused with CONNACK 3, and the refusal is logged.
func TestSessionTableFullEvictsOldestOffline(t *testing.T) {
	for _, evict := range []bool{true, false} {
		t.Run("evict "+strconv.FormatBool(evict), func(t *testing.T) {
			var log logLines
			clock := brokertest.NewClock(time.Unix(0, 0))
			lim := smallLimits() // MaxSessions 8
			lim.EvictOfflineSessions = evict
			b := newBroker(t, broker.Config{Limits: lim, Logf: log.logf, Clock: clock})
			for i := range 8 {
				leaveOffline(t, b, "once"+strconv.Itoa(i), "t")
				clock.Advance(time.Second)
			}
			c := dial(t, b)
			if !evict {
				// The CONNECT waits takeoverGrace for a session to be
				// released, by the broker's clock, before it is refused.
				waitFor(t, func() bool { return b.Stats().Connections == 1 })
				armed := clock.Pending()
				c.send(packet.Connect{ClientID: []byte("newcomer"), CleanSession: true})
				waitFor(t, func() bool { return clock.Pending() > armed })
				clock.Advance(time.Second)
				ack := recvAs[*packet.Connack](c)
				if ack.ReturnCode != packet.RefusedServerUnavailable || len(log.with("CONNACK 3", "newcomer")) != 1 {
					t.Fatalf("CONNACK %d, log %q; want 3 and a line saying why", ack.ReturnCode, log.lines)
				}
				return
			}
			ack := c.connect("newcomer", true)
			if ack.ReturnCode != packet.Accepted {
				t.Fatalf("CONNACK %d, want 0", ack.ReturnCode)
			}
			if st := b.Stats(); st.SessionsEvicted != 1 || len(log.with("evicted", `"once0"`)) != 1 {
				t.Errorf("%d sessions evicted, log %q; want once0 evicted and logged", st.SessionsEvicted, log.lines)
			}
			c.disconnect()
			for id, present := range map[string]bool{"once0": false, "once1": true} {
				c := dial(t, b)
				if ack := c.connect(id, false); ack.SessionPresent != present {
					t.Errorf("%s: session present %v, want %v", id, ack.SessionPresent, present)
				}
				c.disconnect()
			}
		})
	}
}

// TestSessionExpiry: a persistent session offline for SessionExpiry is
// ended, with the messages it held counted as lost; one offline for less
// is resumed.
func TestSessionExpiry(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	lim := smallLimits()
	lim.SessionExpiry = time.Hour
	b := newBroker(t, broker.Config{Limits: lim, Clock: clock})
	leaveOffline(t, b, "old", "t")
	pub := mustConnect(t, b, "pub", true)
	pub.publish("t", "for old", 1, false)
	clock.Advance(30 * time.Minute)
	leaveOffline(t, b, "young", "t")
	clock.Advance(30 * time.Minute)

	c := dial(t, b)
	if ack := c.connect("old", false); ack.SessionPresent {
		t.Error("a session offline for SessionExpiry was resumed")
	}
	c.disconnect()
	c = dial(t, b)
	if ack := c.connect("young", false); !ack.SessionPresent {
		t.Error("a session offline for half of SessionExpiry was not resumed")
	}
	if st := b.Stats(); st.SessionsExpired != 1 || st.DroppedBy[broker.DropSessionEnded] != 1 {
		t.Errorf("%d sessions expired, %d messages lost with them; want 1 and 1", st.SessionsExpired, st.DroppedBy[broker.DropSessionEnded])
	}
}

// TestSlowConsumersHoldPublisherOnce: subscribers that stop acknowledging
// together hold a publisher back for SlowConsumerWait in all, not once
// each, and a subscriber that keeps up goes on receiving.
func TestSlowConsumersHoldPublisherOnce(t *testing.T) {
	var log logLines
	clock := brokertest.NewClock(time.Unix(0, 0))
	lim := smallLimits() // MaxInflight 4, MaxQueued 8: congested at 6 queued
	lim.MaxSessions = 16
	b := newBroker(t, broker.Config{Limits: lim, Clock: clock, Logf: log.logf})
	const slow = 10
	for i := range slow {
		c := mustConnect(t, b, "slow"+strconv.Itoa(i), true)
		c.subscribe("t", 1)
	}
	fast := mustConnect(t, b, "fast", true)
	fast.subscribe("t", 1)
	pub := mustConnect(t, b, "pub", true)

	// 4 in flight and 6 queued for each slow subscriber: the tenth message
	// congests them all at once, and the publisher waits for one of them.
	for i := range 10 {
		pub.nextID++
		pub.send(packet.Publish{Topic: []byte("t"), Payload: []byte(strconv.Itoa(i)), QoS: 1, PacketID: pub.nextID})
		fast.ack(fast.expectPublish("t", strconv.Itoa(i)))
	}
	waitFor(t, func() bool { return b.Stats().PublishersHeld == 1 })
	clock.Advance(lim.SlowConsumerWait + time.Second) // 0 in smallLimits: the default, 1 s
	for range 10 {
		recvAs[*packet.Puback](pub) // the last one goes out before the wait
	}
	waitFor(t, func() bool { return b.Stats().SlowConsumers > 0 })
	if st := b.Stats(); st.SlowConsumers != slow {
		t.Errorf("%d subscribers marked slow after one wait, want all %d", st.SlowConsumers, slow)
	}
	if got := log.with("is slow"); len(got) != 1 {
		t.Errorf("logged %q, want one line for the first slow subscriber", got)
	}
	// Nobody holds the publisher any more; the fast subscriber keeps up.
	for i := 10; i < 20; i++ {
		pub.publish("t", strconv.Itoa(i), 1, false)
		fast.ack(fast.expectPublish("t", strconv.Itoa(i)))
	}
	if st := b.Stats(); st.PublishersHeld != 1 {
		t.Errorf("publisher held %d times, want once", st.PublishersHeld)
	}
}

// TestDropsDoNotAllocate: a dropped message is counted and, once per
// interval, logged; the drops in between cost no allocation.
func TestDropsDoNotAllocate(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts need a quiet process")
	}
	var log logLines
	b := newBroker(t, broker.Config{Limits: smallLimits(), Logf: log.logf})
	leaveOffline(t, b, "away", "t")
	payload := []byte("x")
	for range 8 { // fill the queue; the next one is dropped and logged
		if err := b.Publish("t", payload, 1, false); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if err := b.Publish("t", payload, 1, false); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per dropped message, want 0", allocs)
	}
	if got := b.Stats().DroppedBy[broker.DropOfflineQueueFull]; got < 1000 || len(log.with("offline queue full")) != 1 {
		t.Errorf("%d drops, logged %q; want every one counted and one line", got, log.lines)
	}
}

// TestConnectWaitsForALeavingSession: when every session is online, a
// CONNECT waits a moment for one to be released, so a client that
// connects just as another leaves gets in instead of CONNACK 3.
func TestConnectWaitsForALeavingSession(t *testing.T) {
	clock := brokertest.NewClock(time.Unix(0, 0))
	lim := smallLimits() // MaxSessions 8
	b := newBroker(t, broker.Config{Limits: lim, Clock: clock})
	var online []*client
	for i := range lim.MaxSessions {
		online = append(online, mustConnect(t, b, "on"+strconv.Itoa(i), true))
	}
	c := dial(t, b)
	waitFor(t, func() bool { return b.Stats().Connections == lim.MaxSessions+1 })
	armed := clock.Pending()
	c.send(packet.Connect{ClientID: []byte("newcomer"), CleanSession: true})
	waitFor(t, func() bool { return clock.Pending() > armed }) // waiting, not refused
	online[0].disconnect()
	if ack := recvAs[*packet.Connack](c); ack.ReturnCode != packet.Accepted {
		t.Fatalf("CONNACK %d after a session was released, want 0", ack.ReturnCode)
	}
}
