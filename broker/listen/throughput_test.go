package listen_test

import (
	"bufio"
	"context"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gatomqtt/gatomqtt/broker"
	"github.com/gatomqtt/gatomqtt/broker/listen"
	"github.com/gatomqtt/gatomqtt/broker/packet"
)

// BenchmarkThroughput drives 4 publishers and 1 subscriber over TCP with
// 64-byte payloads, against this broker and, when installed, mosquitto in
// the same run; compare the msgs/s metrics. One op is one message published.
func BenchmarkThroughput(b *testing.B) {
	for _, qos := range []packet.QoS{0, 1} {
		b.Run("QoS"+strconv.Itoa(int(qos))+"/gatomqtt", func(b *testing.B) {
			br, err := broker.New(broker.Config{Limits: broker.HostLimits})
			if err != nil {
				b.Fatal(err)
			}
			defer br.Close()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { listen.Serve(ctx, ln, br); close(done) }()
			defer func() { cancel(); <-done }()
			runLoad(b, ln.Addr().String(), qos)
			st := br.Stats()
			b.ReportMetric(float64(st.Dropped), "dropped")
		})
		b.Run("QoS"+strconv.Itoa(int(qos))+"/mosquitto", func(b *testing.B) {
			addr := startMosquitto(b)
			runLoad(b, addr, qos)
		})
	}
}

func startMosquitto(b *testing.B) string {
	path, err := exec.LookPath("mosquitto")
	if err != nil {
		b.Skip("mosquitto not installed: ", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(path, "-p", port)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			b.Fatalf("mosquitto did not listen on %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond) // polling a child process's startup
	}
}

// loadConn is a minimal MQTT client on the codec for load generation.
type loadConn struct {
	c  net.Conn
	w  *bufio.Writer
	rd *packet.Reader
}

func dialLoad(b *testing.B, addr, id string) *loadConn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	l := &loadConn{c: c, w: bufio.NewWriterSize(c, 32<<10), rd: packet.NewReader(c, make([]byte, 64<<10))}
	l.send(packet.Connect{ClientID: []byte(id), CleanSession: true})
	l.w.Flush()
	if p, err := l.rd.ReadPacket(); err != nil || p.(*packet.Connack).ReturnCode != 0 {
		b.Fatalf("connect: %v", err)
	}
	return l
}

func (l *loadConn) send(p packet.Packet) {
	buf, _ := p.Append(l.w.AvailableBuffer())
	l.w.Write(buf)
}

const publishers = 4

func runLoad(b *testing.B, addr string, qos packet.QoS) {
	sub := dialLoad(b, addr, "load-sub")
	defer sub.c.Close()
	sub.send(packet.Subscribe{PacketID: 1, Filters: []packet.Filter{{Topic: []byte("load/#"), QoS: qos}}})
	sub.w.Flush()
	if _, err := sub.rd.ReadPacket(); err != nil {
		b.Fatal(err)
	}
	pubs := make([]*loadConn, publishers)
	for i := range pubs {
		pubs[i] = dialLoad(b, addr, "load-pub"+strconv.Itoa(i))
		defer pubs[i].c.Close()
	}
	per := max(b.N/publishers, 1)
	total := per * publishers
	payload := make([]byte, 64)

	received := make(chan int, 1)
	var last time.Time // when the last message arrived
	go func() {
		n := 0
		for n < total {
			sub.c.SetReadDeadline(time.Now().Add(2 * time.Second))
			p, err := sub.rd.ReadPacket()
			if err != nil {
				break // idle: the rest was dropped
			}
			if pub, ok := p.(*packet.Publish); ok {
				n++
				last = time.Now()
				if pub.QoS == 1 {
					sub.send(packet.Puback{PacketID: pub.PacketID})
					if sub.rd.Buffered() == 0 {
						sub.w.Flush()
					}
				}
			}
		}
		sub.w.Flush()
		received <- n
	}()

	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i, pc := range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			topic := []byte("load/" + strconv.Itoa(i))
			const window = 64
			acks := make(chan struct{}, window)
			if qos == 1 {
				go func() {
					for range per {
						if _, err := pc.rd.ReadPacket(); err != nil {
							return
						}
						<-acks
					}
				}()
			}
			for j := range per {
				p := packet.Publish{Topic: topic, Payload: payload, QoS: qos}
				if qos == 1 {
					p.PacketID = uint16(j%60000 + 1)
					if len(acks) == window {
						pc.w.Flush()
					}
					acks <- struct{}{}
				}
				pc.send(p)
			}
			pc.w.Flush()
		}()
	}
	wg.Wait()
	n := <-received
	elapsed := last.Sub(start)
	b.StopTimer()
	b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(100*float64(total-n)/float64(total), "%loss")
}
