package load

import (
	"strings"
	"testing"
	"time"
)

func TestTSVRoundTripAndMarkdown(t *testing.T) {
	mosq := &Result{
		Config:      Config{Label: "mosquitto", Publishers: 4, Subscribers: 1, QoS: 0, PayloadSize: 64},
		PublishTime: 10 * time.Second, Sent: 1000, Expected: 1000, Delivered: 1000, Throughput: 100000,
		Latency:     Latency{P50: 100 * time.Microsecond, P99: 400 * time.Microsecond},
		MemoryAfter: &Memory{RSS: 4 << 20, Peak: 8 << 20},
	}
	gato := &Result{
		Config:      Config{Label: "gatomqtt", Publishers: 4, Subscribers: 1, QoS: 0, PayloadSize: 64},
		PublishTime: 10 * time.Second, Sent: 1000, Expected: 1000, Delivered: 990, Lost: 10, Throughput: 150000,
		Latency:     Latency{P50: 50 * time.Microsecond, P99: 800 * time.Microsecond},
		MemoryAfter: &Memory{RSS: 2 << 20, Peak: 2 << 20},
	}
	noMemory := &Result{
		Config:     Config{Label: "remote", Publishers: 1, Subscribers: 4, QoS: 1, PayloadSize: 64},
		Throughput: 5, Latency: Latency{P50: time.Millisecond, P99: time.Millisecond},
	}
	tsv := strings.Join([]string{TSVHeader, mosq.TSV(), gato.TSV(), TSVHeader, noMemory.TSV()}, "\n") + "\n"

	rows, err := ReadTSV(strings.NewReader(tsv))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3 (repeated headers skipped)", len(rows))
	}
	want := Row{Label: "gatomqtt", Scenario: "4p-1s-q0-64B", Throughput: 150000, Lost: 10, LossPct: 1, P50: 50, P99: 800, RSS: 2048, HWM: 2048}
	if rows[1] != want {
		t.Errorf("row = %+v\nwant %+v", rows[1], want)
	}

	var md strings.Builder
	if err := WriteMarkdown(&md, rows, "mosquitto"); err != nil {
		t.Fatal(err)
	}
	out := md.String()
	t.Log("\n" + out)
	for _, line := range []string{
		"| 4p-1s-q0-64B | mosquitto | 100000 | 1.00 | 0 (0.00%) | 100 | 1.00 | 400 | 1.00 | 4.0 | 8.0 | 1.00 |",
		"| 4p-1s-q0-64B | gatomqtt | 150000 | 1.50 | 10 (1.00%) | 50 | 0.50 | 800 | 2.00 | 2.0 | 2.0 | 0.25 |",
		"| 1p-4s-q1-64B | remote | 5 | – | 0 (0.00%) | 1000 | – | 1000 | – | – | – | – |",
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("table lacks the line\n%s", line)
		}
	}
}

func TestReadTSVRejectsBadRows(t *testing.T) {
	for _, text := range []string{
		"a\tb\n",
		strings.Replace((&Result{Config: Config{Label: "x"}, Throughput: 12345}).TSV(), "12345", "not-a-number", 1) + "\n",
	} {
		if _, err := ReadTSV(strings.NewReader(text)); err == nil {
			t.Errorf("ReadTSV(%q) succeeded", text)
		}
	}
}
