package rfc2217

import (
	"bytes"
	"reflect"
	"testing"
)

func TestAppendData(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in, out []byte
	}{
		{"empty", nil, nil},
		{"plain", []byte("abc"), []byte("abc")},
		{"one 0xFF", []byte{0xff}, []byte{0xff, 0xff}},
		{"0xFF inside", []byte{1, 0xff, 2, 0xff, 0xff}, []byte{1, 0xff, 0xff, 2, 0xff, 0xff, 0xff, 0xff}},
		{"telnet-looking bytes", []byte{se, sb, will, do}, []byte{se, sb, will, do}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := appendData(nil, tc.in); !bytes.Equal(got, tc.out) {
				t.Fatalf("appendData(% x) = % x, want % x", tc.in, got, tc.out)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		data []byte
		evs  []event
	}{
		{"plain", []byte("hello"), []byte("hello"), nil},
		{"escaped 0xFF", []byte{'a', iac, iac, 'b', iac, iac}, []byte{'a', 0xff, 'b', 0xff}, nil},
		{"negotiations", []byte{'x', iac, will, optComPort, iac, dont, optEcho, 'y'}, []byte("xy"),
			[]event{{kind: will, opt: optComPort, at: 1}, {kind: dont, opt: optEcho, at: 1}}},
		{"NOP and GA are dropped", []byte{'a', iac, 241, 'b', iac, 249}, []byte("ab"), nil},
		{"subnegotiation", appendSubneg([]byte("d"), optComPort, []byte{101, 0, 0, 0x25, 0x80}), []byte("d"),
			[]event{{kind: sb, opt: optComPort, payload: []byte{101, 0, 0, 0x25, 0x80}, at: 1}}},
		{"subnegotiation with escaped 0xFF", appendSubneg(nil, optComPort, []byte{101, 0xff, 0xff, 0, 0xff}), nil,
			[]event{{kind: sb, opt: optComPort, payload: []byte{101, 0xff, 0xff, 0, 0xff}}}},
		{"data around subnegotiation", append(appendSubneg([]byte{0xff, 0xff}, optComPort, []byte{105, 8}), iac, iac),
			[]byte{0xff, 0xff}, []event{{kind: sb, opt: optComPort, payload: []byte{105, 8}, at: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Whole, then one byte per call: the result must not depend
			// on how reads split the stream.
			for _, chunk := range []int{len(tc.in), 1, 2, 3} {
				var d decoder
				var data []byte
				var evs []event
				for i := 0; i < len(tc.in); i += max(chunk, 1) {
					data, evs = d.decode(tc.in[i:min(i+max(chunk, 1), len(tc.in))], data, evs)
				}
				if !bytes.Equal(data, tc.data) {
					t.Errorf("chunk %d: data % x, want % x", chunk, data, tc.data)
				}
				if len(evs) != len(tc.evs) || (len(evs) > 0 && !reflect.DeepEqual(evs, tc.evs)) {
					t.Errorf("chunk %d: events %+v, want %+v", chunk, evs, tc.evs)
				}
				if d.state != stData {
					t.Errorf("chunk %d: decoder left in state %d", chunk, d.state)
				}
			}
		})
	}
}

// TestRoundTrip encodes every byte value as data and in a subnegotiation
// and decodes it back byte by byte.
func TestRoundTrip(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	stream := appendData(nil, all)
	stream = appendSubneg(stream, optComPort, all)
	stream = appendData(stream, all)
	var d decoder
	var data []byte
	var evs []event
	for i := range stream {
		data, evs = d.decode(stream[i:i+1], data, evs)
	}
	if want := append(append([]byte(nil), all...), all...); !bytes.Equal(data, want) {
		t.Fatalf("data: got %d bytes, want %d", len(data), len(want))
	}
	if len(evs) != 1 || !bytes.Equal(evs[0].payload, all) || evs[0].at != 256 {
		t.Fatalf("events: %+v", evs)
	}
}

func TestNegotiatorAnswersOnce(t *testing.T) {
	n := newNegotiator(optBinary, optComPort)
	for _, tc := range []struct {
		cmd, opt byte
		want     []byte
	}{
		{do, optBinary, []byte{iac, will, optBinary}},
		{do, optBinary, nil}, // already on: no answer, no loop
		{will, optBinary, []byte{iac, do, optBinary}},
		{will, optEcho, []byte{iac, dont, optEcho}},
		{do, optEcho, []byte{iac, wont, optEcho}},
		{dont, optBinary, []byte{iac, wont, optBinary}},
		{dont, optBinary, nil},
		{wont, optEcho, nil},
	} {
		if got := n.handle(nil, tc.cmd, tc.opt); !bytes.Equal(got, tc.want) {
			t.Errorf("handle(%d, %d) = % x, want % x", tc.cmd, tc.opt, got, tc.want)
		}
	}
}
