// Package load drives an MQTT 3.1.1 broker with many TCP clients and
// measures what it delivers: messages per second, loss per subscriber,
// latency percentiles and, for a broker running as a local process, its
// resident memory.
//
// Publishers stamp each payload with a send time and a sequence number;
// subscribers read the stamp back, so latency is measured in one process
// on one monotonic clock. The clients speak MQTT through the project's own
// codec over raw TCP with buffered writes, and they record into fixed-size
// histograms, so no client allocates per message and the load tool is not
// the bottleneck it is trying to measure.
//
// Limits: one topic, every subscriber subscribed to it, QoS 0 or 1 only,
// clean sessions; TLS only as TLS 1.3 external-PSK, through Config.Dial
// and PSKDial. Latency is only meaningful when the broker runs
// on the same machine (it normally runs on loopback). A run at an unlimited
// rate measures saturation, so its latency includes the broker's queueing;
// give Config.Rate for latency at a fixed offered load.
//
// Beside the run of Config, three attack scenarios (RunSlowConsumers,
// RunStorePressure, RunWildcardPressure) load a broker with subscribers
// that never read, with persistent sessions whose queued messages fill its
// store, or with long wildcard filters, and measure the ordinary clients
// beside them with the same machinery; each result is a Report. They use
// persistent sessions and filters of many levels where they need them, and
// remove the sessions they made. RunIdleSessions holds many connected,
// idle clean sessions and reports the broker's memory per session and how
// routing to one subscriber fares beside them. RunConnectionRate loops
// connect, CONNECT, CONNACK, DISCONNECT, close with many clients, over TCP
// or, with a PSK, over TLS-PSK, and reports connections per second, the
// latency to CONNACK and the failures, counted by kind.
package load
