package client_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/gatomqtt/gatomqtt/harness/client"

	"github.com/gatomqtt/gatomqtt/broker/packet"
)

func TestMessageOf(t *testing.T) {
	first := &packet.Publish{QoS: 1, PacketID: 3, Topic: []byte("a/b"), Payload: []byte("x")}
	again := &packet.Publish{QoS: 1, PacketID: 9, Dup: true, Topic: []byte("a/b"), Payload: []byte("x")}
	want := client.Message{Topic: "a/b", Payload: "x", QoS: 1}
	if got := client.MessageOf(first); got != want {
		t.Errorf("MessageOf = %+v, want %+v", got, want)
	}
	if client.MessageOf(first) != client.MessageOf(again) {
		t.Error("a redelivery with another packet identifier and DUP set is a different Message")
	}
	for name, p := range map[string]*packet.Publish{
		"topic":   {QoS: 1, Topic: []byte("a/c"), Payload: []byte("x")},
		"payload": {QoS: 1, Topic: []byte("a/b"), Payload: []byte("y")},
		"QoS":     {QoS: 0, Topic: []byte("a/b"), Payload: []byte("x")},
		"retain":  {QoS: 1, Retain: true, Topic: []byte("a/b"), Payload: []byte("x")},
	} {
		if client.MessageOf(p) == want {
			t.Errorf("a PUBLISH with another %s is the same Message", name)
		}
	}
	if got := client.MessagesOf([]*packet.Publish{again, {Topic: []byte("z"), Retain: true}}); !reflect.DeepEqual(got,
		[]client.Message{want, {Topic: "z", Retain: true}}) {
		t.Errorf("MessagesOf = %+v", got)
	}
	if got := client.MessagesOf(nil); got == nil || len(got) != 0 {
		t.Errorf("MessagesOf(nil) = %#v, want an empty slice", got)
	}
}

// A spec compares what arrived with what it expects as one value, so a
// mismatch shows every field; the packet identifier is left out.
func ExampleMessageOf() {
	p := &packet.Publish{QoS: 1, PacketID: 7, Retain: true, Topic: []byte("gato/t"), Payload: []byte("kept")}
	fmt.Printf("%+v\n", client.MessageOf(p))
	fmt.Println(client.MessageOf(p) == client.Message{Topic: "gato/t", Payload: "kept", QoS: 1, Retain: true})
	// Output:
	// {Topic:gato/t Payload:kept QoS:1 Retain:true}
	// true
}
