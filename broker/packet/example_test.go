package packet_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func ExampleDecoder_Decode() {
	// A PUBLISH at QoS 1 followed by the first bytes of the next packet.
	b := []byte{0x32, 0x09, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x07, 'h', 'i', 0xc0}

	var d packet.Decoder
	p, n, err := d.Decode(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	if pub, ok := p.(*packet.Publish); ok {
		fmt.Printf("%v %s qos=%d id=%d payload=%q\n", p.Type(), pub.Topic, pub.QoS, pub.PacketID, pub.Payload)
	}
	_, _, err = d.Decode(b[n:])
	fmt.Println(err == packet.ErrIncomplete)

	_, _, err = d.Decode([]byte{0x30, 0x03, 0x00, 0x01, '#'})
	fmt.Println(err, errors.Is(err, packet.ErrWildcardInTopic))
	// Output:
	// PUBLISH a/b qos=1 id=7 payload="hi"
	// true
	// packet: PUBLISH: topic name contains a wildcard true
}

func ExampleReader() {
	var stream []byte
	stream, _ = packet.Connect{CleanSession: true, KeepAlive: 30, ClientID: []byte("board")}.Append(stream)
	stream, _ = packet.NewSubscribe(1, packet.Filter{Topic: []byte("cmd/#"), QoS: 1}).Append(stream)
	stream, _ = packet.Pingreq{}.Append(stream)

	r := packet.NewReader(bytes.NewReader(stream), make([]byte, 64))
	for {
		p, err := r.ReadPacket()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		switch p := p.(type) {
		case *packet.Connect:
			fmt.Printf("CONNECT %s keepalive=%d\n", p.ClientID, p.KeepAlive)
		case *packet.Subscribe:
			it := p.Iter()
			for f, ok := it.Next(); ok; f, ok = it.Next() {
				fmt.Printf("SUBSCRIBE %s qos=%d\n", f.Topic, f.QoS)
			}
		default:
			fmt.Println(p.Type())
		}
	}
	// Output:
	// CONNECT board keepalive=30
	// SUBSCRIBE cmd/# qos=1
	// PINGREQ
}

func ExamplePublish_Append() {
	buf := make([]byte, 0, 64) // reused for every packet
	buf, err := packet.Publish{QoS: 1, PacketID: 7, Topic: []byte("a/b"), Payload: []byte("hi")}.Append(buf[:0])
	fmt.Printf("% x %v\n", buf, err)

	_, err = packet.Publish{QoS: 1, Topic: []byte("a/b")}.Append(buf[:0])
	fmt.Println(err)
	// Output:
	// 32 09 00 03 61 2f 62 00 07 68 69 <nil>
	// packet: PUBLISH: packet identifier 0 where a non-zero one is required
}

// A test client builds packets the encoder would refuse with the raw
// writers, here a SUBSCRIBE with the reserved flags 0000.
func ExampleAppendHeader() {
	b := packet.AppendHeader(nil, packet.SUBSCRIBE, 0, 6)
	b = packet.AppendUint16(b, 1)
	b = packet.AppendString(b, "a")
	b = append(b, 0)
	fmt.Printf("% x\n", b)

	var d packet.Decoder
	_, _, err := d.Decode(b)
	fmt.Println(err)
	// Output:
	// 80 06 00 01 00 01 61 00
	// packet: SUBSCRIBE: reserved fixed-header flags are not as specified
}

// A client builds a SUBSCRIBE from a list of filters; a broker walks the
// filters of the one it decodes where they lie in the read buffer, with no
// storage for them however many there are.
func ExampleSubscribe_Iter() {
	wire, _ := packet.NewSubscribe(3,
		packet.Filter{Topic: []byte("sensors/+/temp"), QoS: 1},
		packet.Filter{Topic: []byte("cmd/#"), QoS: 2},
	).Append(nil)

	var d packet.Decoder
	p, _, err := d.Decode(wire)
	if err != nil {
		fmt.Println(err)
		return
	}
	sub := p.(*packet.Subscribe)
	it := sub.Iter()
	for f, ok := it.Next(); ok; f, ok = it.Next() {
		fmt.Printf("%s qos=%d\n", f.Topic, f.QoS)
	}
	// Output:
	// sensors/+/temp qos=1
	// cmd/# qos=2
}

func ExampleUnsubscribe_Iter() {
	wire, _ := packet.NewUnsubscribe(4, []byte("a/#"), []byte("b")).Append(nil)
	var d packet.Decoder
	p, _, _ := d.Decode(wire)
	it := p.(*packet.Unsubscribe).Iter()
	for topic, ok := it.Next(); ok; topic, ok = it.Next() {
		fmt.Printf("%s\n", topic)
	}
	// Output:
	// a/#
	// b
}
