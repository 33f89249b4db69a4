package load

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StorePressure describes the store-pressure scenario: Sessions clients
// connect with persistent sessions, each subscribes at QoS 1 to
// TopicPrefix/<i> and disconnects; a publisher then sends Stored QoS 1
// messages to each of those topics, which the broker must keep for the
// offline sessions; then an online subscriber of Config.Topic is to
// receive Config.Count messages from a publisher. Messages kept for
// sessions that are away must not cost an online client its messages.
type StorePressure struct {
	// Config is the online run: Publishers, Subscribers and QoS are set
	// to 1, 1 and 1, and Count defaults to 100 when neither Count nor
	// Duration is given. Its Addr, Label, PayloadSize, Window, Drain and
	// Stall apply to the filling phase too.
	Config Config

	Sessions    int    // offline persistent sessions; default 4
	Stored      int    // QoS 1 messages published to each one's topic; default 1024
	TopicPrefix string // their topics are TopicPrefix/<i>; default "att"
}

// Defaults of the store-pressure scenario.
const (
	DefaultStoreSessions = 4
	DefaultStored        = 1024
	DefaultStoreCount    = 100
	DefaultTopicPrefix   = "att"
)

// StorePressureResult is what the store-pressure scenario measured.
type StorePressureResult struct {
	Sessions int `json:"sessions"`
	Stored   int `json:"stored_per_session"`

	// The filling phase: messages published for the offline sessions and
	// acknowledged (FillSent) or never acknowledged (FillUnacked), and
	// why it ended early, if it did (a broker that stops reading or
	// acknowledging the publisher of the messages it cannot keep).
	FillSent    uint64        `json:"fill_sent"`
	FillUnacked uint64        `json:"fill_unacked"`
	FillTime    time.Duration `json:"fill_ns"`
	FillStalled string        `json:"fill_stalled,omitempty"`

	// Online is the online run: Online.Sent counts the PUBACKs its
	// publisher got, Online.Delivered the messages the online subscriber
	// got, and Online.Lost the difference.
	Online *Result `json:"online"`
}

// RunStorePressure sets up the offline sessions, fills their queues, makes
// the online run and removes the sessions again.
func RunStorePressure(ctx context.Context, sp StorePressure) (res *StorePressureResult, err error) {
	cfg := sp.Config
	cfg.Publishers, cfg.Subscribers, cfg.QoS = 1, 1, 1
	if cfg.Count == 0 && cfg.Duration == 0 {
		cfg.Count = DefaultStoreCount
	}
	cfg, err = cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if sp.Sessions == 0 {
		sp.Sessions = DefaultStoreSessions
	}
	if sp.Stored == 0 {
		sp.Stored = DefaultStored
	}
	if sp.TopicPrefix == "" {
		sp.TopicPrefix = DefaultTopicPrefix
	}
	if sp.Sessions < 0 || sp.Stored < 0 {
		return nil, fmt.Errorf("load: store pressure: %d sessions of %d messages, want neither negative", sp.Sessions, sp.Stored)
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("store-pressure-%dx%d-q1-%dB", sp.Sessions, sp.Stored, cfg.PayloadSize)
	}
	topics := make([]string, sp.Sessions)
	for i := range topics {
		topics[i] = fmt.Sprintf("%s/%d", sp.TopicPrefix, i)
		if topics[i] == cfg.Topic {
			return nil, fmt.Errorf("load: store pressure: the online topic %q is one of the offline sessions' topics", cfg.Topic)
		}
	}
	ids := sessionIDs("store", sp.Sessions)
	defer func() {
		cctx, cancel := cleanupContext(ctx, 10*time.Second+cfg.Stall)
		defer cancel()
		if cerr := cleanSessions(cctx, cfg.Addr, ids, cfg.Stall); cerr != nil && err == nil {
			res, err = nil, cerr
		}
	}()
	if err := cleanSessions(ctx, cfg.Addr, ids, cfg.Stall); err != nil {
		return nil, err
	}
	for i, id := range ids {
		c, err := dialWith(ctx, cfg.Addr, dialOptions{clientID: id, readBuf: 512, writeBuf: 512, timeout: cfg.Stall})
		if err != nil {
			return nil, fmt.Errorf("load: store pressure: persistent session %d: %w", i, err)
		}
		err = c.subscribe(topics[i], 1)
		c.close()
		if err != nil {
			return nil, fmt.Errorf("load: store pressure: persistent session %d: %w", i, err)
		}
	}

	res = &StorePressureResult{Sessions: sp.Sessions, Stored: sp.Stored}
	if sp.Stored > 0 && sp.Sessions > 0 {
		fill := cfg
		fill.Subscribers, fill.Count, fill.Duration, fill.Rate, fill.PID = 0, sp.Sessions*sp.Stored, 0, 0, 0
		fill.Topic, fill.Name = topics[0], ""
		start := time.Now()
		fr, err := runPhase(ctx, fill, topics)
		res.FillTime = time.Since(start)
		switch {
		case errors.Is(err, ErrStalled):
			// The broker stopped taking the messages it could not keep:
			// a policy, not a failure of the scenario. How many it took
			// before is not known beyond the count of identifiers.
			res.FillStalled = err.Error()
		case err != nil:
			return nil, fmt.Errorf("load: store pressure: filling the offline sessions: %w", err)
		default:
			res.FillSent, res.FillUnacked = fr.Sent, fr.Unacked
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	online, err := Run(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("load: store pressure: the online run: %w", err)
	}
	res.Online = online
	return res, nil
}

func (r *StorePressureResult) String() string {
	o := r.Online
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: online subscriber got %d of %d acknowledged (%d PUBACKs), lost %d (%.2f%%)",
		label(&o.Config), o.Config.Scenario(), o.Delivered, o.Sent, o.Sent, o.Lost, 100*o.LossRatio())
	if o.Unacked > 0 {
		fmt.Fprintf(&b, ", %d unacked", o.Unacked)
	}
	fmt.Fprintf(&b, "; offline fill: %d of %d acknowledged in %v", r.FillSent, r.Sessions*r.Stored, roundDuration(r.FillTime))
	if r.FillUnacked > 0 {
		fmt.Fprintf(&b, ", %d unacked", r.FillUnacked)
	}
	if r.FillStalled != "" {
		fmt.Fprintf(&b, " (%s)", r.FillStalled)
	}
	return b.String()
}

// TSVHeader names the columns of TSV.
func (r *StorePressureResult) TSVHeader() string {
	return "broker\tscenario\toffline sessions\tstored per session\toffline PUBACKs\tonline published\tonline PUBACKs\tonline received\tonline lost\tonline loss %"
}

// TSV formats the result as one row under TSVHeader.
func (r *StorePressureResult) TSV() string {
	o := r.Online
	fill := strconv.FormatUint(r.FillSent, 10)
	if r.FillStalled != "" {
		fill = "stalled"
	}
	return strings.Join([]string{
		label(&o.Config), o.Config.Scenario(), strconv.Itoa(r.Sessions), strconv.Itoa(r.Stored), fill,
		strconv.FormatUint(o.Sent+o.Unacked, 10), strconv.FormatUint(o.Sent, 10),
		strconv.FormatUint(o.Delivered, 10), strconv.FormatInt(o.Lost, 10), fmt.Sprintf("%.2f", 100*o.LossRatio()),
	}, "\t")
}
