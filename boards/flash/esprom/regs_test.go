package esprom

import (
	"context"
	"net"
	"testing"
	"time"
)

// loaderOnEmulator connects a Loader to an Emulator over a pipe.
func loaderOnEmulator(t *testing.T, opts EmulatorOptions) (*Loader, *Emulator) {
	t.Helper()
	e := NewEmulator(opts)
	host, rom := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); e.Serve(ctx, rom) }()
	l := NewLoader(host, nil)
	t.Cleanup(func() { cancel(); l.Close(); rom.Close(); <-done })
	return l, e
}

func TestDisableWatchdogs(t *testing.T) {
	l, e := loaderOnEmulator(t, EmulatorOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	// Without the key the watchdog registers keep their values.
	if err := l.WriteReg(ctx, RTCWDTConfig0, 0, 0xFFFFFFFF, 0); err != nil {
		t.Fatal(err)
	}
	if rtc, super := e.Watchdogs(); !rtc || !super {
		t.Fatalf("watchdogs (rtc %v, super %v) changed by an unprotected write", rtc, super)
	}
	if err := l.DisableWatchdogs(ctx); err != nil {
		t.Fatal(err)
	}
	if rtc, super := e.Watchdogs(); rtc || super {
		t.Errorf("after DisableWatchdogs: rtc watchdog running %v, super watchdog needs feeding %v", rtc, super)
	}
	if v, err := l.ReadReg(ctx, RTCWDTProtect); err != nil || v != 0 {
		t.Errorf("the RTC watchdog was left unlocked: %#x, %v", v, err)
	}
}

func TestChangeBaudRate(t *testing.T) {
	got := make(chan int, 1)
	l, _ := loaderOnEmulator(t, EmulatorOptions{OnBaud: func(b int) { got <- b }})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.ChangeBaudRate(ctx, 921600); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if b != 921600 {
			t.Errorf("the ROM moved to %d baud, want 921600", b)
		}
	case <-ctx.Done():
		t.Fatal("OnBaud never called")
	}
	if err := l.ChangeBaudRate(ctx, 0); err == nil {
		t.Error("0 baud accepted")
	}
}
