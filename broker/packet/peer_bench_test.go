package packet_test

// The same packets through the codec of the paho MQTT client, the peer
// against which the figures of this package are reported as ratios.

import (
	"bytes"
	"testing"

	"github.com/eclipse/paho.mqtt.golang/packets"
)

func BenchmarkPeerPahoDecodePublish(b *testing.B) { benchPahoDecode(b, mustAppend(b, benchPublish)) }
func BenchmarkPeerPahoDecodeConnect(b *testing.B) { benchPahoDecode(b, mustAppend(b, benchConnect)) }
func BenchmarkPeerPahoDecodeSubscribe(b *testing.B) {
	benchPahoDecode(b, mustAppend(b, benchSubscribe))
}

func benchPahoDecode(b *testing.B, wire []byte) {
	r := bytes.NewReader(wire)
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(wire)
		if _, err := packets.ReadPacket(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPeerPahoEncodePublish(b *testing.B) {
	p := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
	p.Qos = byte(benchPublish.QoS)
	p.TopicName = string(benchPublish.Topic)
	p.MessageID = benchPublish.PacketID
	p.Payload = benchPublish.Payload
	var buf bytes.Buffer
	buf.Grow(256)
	b.SetBytes(int64(benchPublish.Len()))
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := p.Write(&buf); err != nil {
			b.Fatal(err)
		}
	}
	if !bytes.Equal(buf.Bytes(), mustAppend(b, benchPublish)) {
		b.Fatalf("paho wrote % x, this package % x", buf.Bytes(), mustAppend(b, benchPublish))
	}
}
