package peers_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/gatomqtt/gatomqtt/peers"
)

// A test that wants mosquitto beside its target starts one with a user
// and an extra configuration line, and hands its target string (address,
// credentials, peer=mosquitto) to target.Parse. It needs mosquitto
// installed, so it has no output to check; tests use MosquittoFor, which
// skips without it.
func ExampleStartMosquitto() {
	m, err := peers.StartMosquitto(peers.MosquittoOptions{
		Users:  []peers.User{{Name: "alice", Password: "s3cret"}},
		Config: []string{"max_packet_size 4096"},
	})
	if errors.Is(err, peers.ErrNotInstalled) {
		fmt.Println("skipping:", err)
		return
	}
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Stop()
	fmt.Println(m.Target()) // tcp://127.0.0.1:40123?password=s3cret&peer=mosquitto&username=alice
}

// $GATOMQTT_MOSQUITTO chooses the mosquitto to run, ahead of PATH, e.g. a
// build of another version.
func ExampleMosquittoPath() {
	os.Setenv("GATOMQTT_MOSQUITTO", "/opt/mosquitto-2.0.18/sbin/mosquitto")
	defer os.Unsetenv("GATOMQTT_MOSQUITTO")
	path, err := peers.MosquittoPath()
	fmt.Println(path, err)
	// Output: /opt/mosquitto-2.0.18/sbin/mosquitto <nil>
}
