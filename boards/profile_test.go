package boards_test

import (
	"testing"

	"github.com/gatomqtt/gatomqtt/boards"
	"github.com/gatomqtt/gatomqtt/broker"
)

func TestProfilesAreConsistent(t *testing.T) {
	for _, p := range boards.Profiles {
		t.Run(p.Name, func(t *testing.T) {
			if got, ok := boards.Lookup(p.Name); !ok || got != p {
				t.Fatalf("Lookup(%q) = %v, %v", p.Name, got, ok)
			}
			if p.Link.Streams != p.Limits.MaxConnections {
				t.Errorf("link carries %d streams, broker serves %d connections", p.Link.Streams, p.Limits.MaxConnections)
			}
			if _, err := broker.New(broker.Config{Limits: p.Limits}); err != nil {
				t.Errorf("limits: %v", err)
			}
			b, l, s := p.RuntimeBytes()
			if b <= 0 || l <= 0 || s <= 0 {
				t.Errorf("RuntimeBytes = %d, %d, %d; want all positive", b, l, s)
			}
			if b+l+s >= p.Ceilings.RAMBudget || p.Ceilings.RAMBudget > p.SRAM/2 {
				t.Errorf("runtime RAM %d against ceiling %d of %d SRAM", b+l+s, p.Ceilings.RAMBudget, p.SRAM)
			}
			if !p.InSRAM(p.SRAMRegions[0].Start) || p.InSRAM(0) {
				t.Errorf("SRAM regions %v", p.SRAMRegions)
			}
		})
	}
}

func TestLimitsFor(t *testing.T) {
	tests := []struct {
		name string
		want int // MaxSessions
		ok   bool
	}{
		{"host", broker.HostLimits.MaxSessions, true},
		{"pico", broker.PicoLimits.MaxSessions, true},
		{"esp32c3", broker.ESP32C3Limits.MaxSessions, true},
		{"arduino", 0, false},
	}
	for _, tt := range tests {
		lim, ok := boards.LimitsFor(tt.name)
		if ok != tt.ok || lim.MaxSessions != tt.want {
			t.Errorf("LimitsFor(%q) = %d sessions, %v; want %d, %v", tt.name, lim.MaxSessions, ok, tt.want, tt.ok)
		}
	}
}
