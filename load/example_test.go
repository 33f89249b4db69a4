package load_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/load"
)

// Two publishers send 500 QoS 1 messages each to two subscribers of the
// project's broker, served here in the same process on a loopback port.
func ExampleRun() {
	b, err := broker.New(broker.Config{Limits: broker.HostLimits})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- listen.Serve(ctx, ln, b) }()
	defer func() { stop(); <-served }()

	res, err := load.Run(context.Background(), load.Config{
		Addr:        ln.Addr().String(),
		Label:       "gatomqtt",
		Publishers:  2,
		Subscribers: 2,
		QoS:         1,
		Count:       500,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: sent %d, delivered %d, lost %d, duplicates %d\n",
		res.Config.Scenario(), res.Sent, res.Delivered, res.Lost, res.Duplicates)
	// Output: 2p-2s-q1-64B: sent 1000, delivered 2000, lost 0, duplicates 0
}

// Four publishers feed one subscriber at QoS 1 for ten seconds; the broker
// runs as process 1234, whose memory the result reports. It needs a broker
// on port 1883, so it has no output to check.
func ExampleRun_memory() {
	res, err := load.Run(context.Background(), load.Config{
		Addr:        "127.0.0.1:1883",
		Label:       "mosquitto",
		Publishers:  4,
		Subscribers: 1,
		QoS:         1,
		Duration:    10 * time.Second,
		PID:         1234,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res)                                       // one line for people
	fmt.Println(res.Latency.P99, res.MemoryAfter.Peak>>20) // or the figures themselves
}

func ExampleWriteMarkdown() {
	tsv := load.TSVHeader + "\n" +
		"mosquitto\t4p-1s-q1-64B\t1\t4\t1\t64\t0\t10.00\t400000\t400000\t0\t0.000\t40000\t500.0\t2000.0\t9000.0\t8192\t8192\n" +
		"gatomqtt\t4p-1s-q1-64B\t1\t4\t1\t64\t0\t10.00\t600000\t600000\t0\t0.000\t60000\t250.0\t1000.0\t5000.0\t2048\t2048\n"
	rows, err := load.ReadTSV(strings.NewReader(tsv))
	if err != nil {
		fmt.Println(err)
		return
	}
	load.WriteMarkdown(os.Stdout, rows, "mosquitto")
	// Output:
	// | scenario | broker | delivered msg/s | × mosquitto | loss | p50 µs | × mosquitto | p99 µs | × mosquitto | RSS after MiB | peak RSS MiB | × mosquitto |
	// |---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
	// | 4p-1s-q1-64B | mosquitto | 40000 | 1.00 | 0 (0.00%) | 500 | 1.00 | 2000 | 1.00 | 8.0 | 8.0 | 1.00 |
	// | 4p-1s-q1-64B | gatomqtt | 60000 | 1.50 | 0 (0.00%) | 250 | 0.50 | 1000 | 0.50 | 2.0 | 2.0 | 0.25 |
}
