package psknet_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net"

	"github.com/gatomqtt/gatomqtt/broker/tlspsk"
	"github.com/gatomqtt/gatomqtt/broker/tlspsk/psknet"
)

var key = []byte{
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
}

// A TCP server accepting several boards, each with its own identity and
// key. Clients that offer only psk_ke (no ECDHE) are accepted too.
func ExampleListen() {
	cfg := &tlspsk.Config{
		PSKs: []tlspsk.PSK{
			{Identity: "board-1", Key: []byte("another key of the fleet")},
			{Identity: "board-7", Key: key},
		},
		KeyExchangeModes: []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSKDHE, tlspsk.KeyExchangePSK},
	}
	ln, err := psknet.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			return
		}
		st := conn.(*psknet.Conn).ConnectionState()
		fmt.Fprintf(conn, "%s said %s", st.Identity, line)
	}()

	// A board that saves the ECDHE computation.
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	board := psknet.Client(nc, &tlspsk.Config{
		PSK:              tlspsk.PSK{Identity: "board-7", Key: key},
		KeyExchangeModes: []tlspsk.KeyExchangeMode{tlspsk.KeyExchangePSK},
	})
	defer board.Close()
	fmt.Fprintln(board, "hello")
	reply, err := bufio.NewReader(board).ReadString('\n')
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(reply)
	fmt.Println(board.ConnectionState().KeyExchangeMode)
	// Output:
	// board-7 said hello
	// psk_ke
}

// A client with small buffers: it asks for 512-byte records, which the
// server must honour, and uses AES-128-CCM_8 when the server allows it.
func ExampleClient() {
	ln, err := psknet.Listen("tcp", "127.0.0.1:0", &tlspsk.Config{
		PSKs: []tlspsk.PSK{{Identity: "board-7", Key: key}},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			conn.(*psknet.Conn).Handshake()
			conn.Close()
		}
	}()

	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	conn := psknet.Client(nc, &tlspsk.Config{
		PSK:               tlspsk.PSK{Identity: "board-7", Key: key},
		CipherSuites:      []tlspsk.CipherSuite{tlspsk.TLS_AES_128_CCM_8_SHA256, tlspsk.TLS_AES_128_GCM_SHA256},
		Groups:            []tlspsk.Group{tlspsk.P256},
		MaxFragmentLength: 512,
	})
	defer conn.Close()
	if err := conn.Handshake(); err != nil {
		log.Fatal(err)
	}
	st := conn.ConnectionState()
	fmt.Println(st.CipherSuite, st.KeyExchangeMode, st.Group)
	fmt.Println("records of at most", st.SendLimit, "bytes; buffers:", conn.BufferBytes(), "bytes")
	// Output:
	// TLS_AES_128_GCM_SHA256 psk_dhe_ke secp256r1
	// records of at most 512 bytes; buffers: 1068 bytes
}

// NewListener wraps a listener made elsewhere, here by net.ListenConfig
// under a context, as a server that stops on a signal makes it.
func ExampleNewListener() {
	var lc net.ListenConfig
	inner, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	ln := psknet.NewListener(inner, &tlspsk.Config{
		PSKs: []tlspsk.PSK{{Identity: "board-7", Key: key}},
	})
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err == nil {
			conn.(*psknet.Conn).Handshake()
			conn.Close()
		}
	}()

	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	conn := psknet.Client(nc, &tlspsk.Config{PSK: tlspsk.PSK{Identity: "board-7", Key: key}})
	defer conn.Close()
	if err := conn.Handshake(); err != nil {
		log.Fatal(err)
	}
	st := conn.ConnectionState()
	fmt.Println(st.CipherSuite, st.Group)
	// Output:
	// TLS_AES_128_GCM_SHA256 x25519
}
