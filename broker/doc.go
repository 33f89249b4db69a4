// Package broker is a bounded MQTT 3.1.1 broker: it serves clients on any
// byte stream (ServeConn takes an io.ReadWriteCloser; package listen adds
// TCP), routes their messages by topic, keeps persistent sessions, retained
// messages and wills, and offers an in-process client (Publish, Subscribe).
//
// # Limits
//
// Every capacity is fixed by Limits when New builds the broker: sessions,
// connection buffers, subscriptions per session, in-flight and queued
// messages per session, the message store, retained messages, topic,
// payload and packet sizes. Nothing grows while the broker runs, and
// routing a message allocates nothing, so the broker fits boards such as
// the Raspberry Pi Pico (PicoLimits) and the ESP32-C3 (ESP32C3Limits) when
// built with TinyGo. Stats.StateBytes reports the heap those tables take.
// The package uses neither net, os nor fmt, and no reflection-heavy
// package.
//
// # Serving streams
//
// ServeConn serves a stream that only blocks (TLS, a serial link, a pipe)
// on the goroutine that calls it, blocked in Read while the client is
// silent. ServeEvents serves a stream whose Read never waits: it says
// ErrWouldBlock, the broker asks the stream (WaitRead) to tell it when
// bytes come (EventConn.Readable), and no goroutine waits meanwhile;
// package listen serves TCP connections this way from one epoll instance.
// Either way a connection borrows its read buffer with a packet decoder,
// and its two outboxes, from pools New fills, one set per connection
// slot, only while bytes wait in them: an idle connection served from
// events holds none (Stats.ReadersLent, OutboxesLent), and since the
// buffer given back last is lent next, a host touches the pages of the
// buffers in use at once, not those of every slot.
//
// # Memory in and outside StateBytes
//
// New makes about a dozen allocations, however many slots the limits ask
// for: the Broker, one per table of structures (sessions, connection
// slots, the packet readers they borrow, subscription slots and the
// nodes of the subscription tree, stored and retained messages, in-flight
// and queued deliveries, handlers, user names and digests), one for every
// byte buffer and one for every index list, the last two carved into the
// pieces each slot owns. It keeps all
// of them and makes no garbage (but for a password longer than
// OutboxBytes, which no CONNECT could carry), and Stats.StateBytes adds
// them up as the heap hands them out:
//
//   - With TinyGo, in whole blocks of four words (16 bytes on the boards),
//     as its block allocator gives them: StateBytes is the heap New takes,
//     to the byte (measured under QEMU by cmd/gatomqtt-firmware's stack
//     probe on RISC-V: 41 952 bytes for PicoLimits, 85 168 for
//     ESP32C3Limits). With -gc=precise each allocation takes one word
//     more, not counted.
//   - With the Go toolchain, in whole size classes, which append reports
//     as capacity, and beyond 32 KiB in whole 8 KiB pages. What it misses
//     is the part of a size class too small for one more element of a
//     table of structures, with the 8-byte header of such a table above
//     512 bytes: less than one element per table, under 1.5 KiB in all on
//     64-bit systems. That is about 1 % for the board profiles (50 400
//     bytes for PicoLimits, 96 216 for ESP32C3Limits on amd64) and at
//     most 2 % for a broker of 75 KB or more, but can be more for smaller
//     ones. Pages of a large table that are never used are counted but stay
//     unmapped on most systems; on Unix hosts the tables of a megabyte or
//     more that hold no pointers are mappings of their own, counted in
//     whole pages, which the runtime never clears (it clears a large heap
//     object that lands on pages it used before, committing all of it). A
//     build for the race detector (or with -N) allocates each table up to
//     32 KiB twice, the first copy garbage at once.
//
// StateBytes leaves out, and a budget must add:
//
//   - Goroutine stacks: for a connection served by ServeConn, the
//     goroutine that calls it (package listen starts one per connection
//     on systems other than Linux, and for TLS and WebSocket streams);
//     for one served by ServeEvents, none while its client is silent and
//     a worker while its packets are read; and for either, a worker while
//     its outbox has bytes to write. Workers that end a task wait for the
//     next, at most min(MaxConnections, 256) of them, so a connection
//     costs at most two stacks at once, as before. One more for the
//     in-process client once it subscribes; and, with package listen, one
//     per listener. The standard Go runtime grows stacks as needed: about
//     6 KiB per connection measured on amd64. TinyGo gives each goroutine
//     a fixed stack, sized by its stack-size analysis where it can and
//     otherwise by the target's default-stack-size (8 KiB for pico, 2 KiB
//     for esp32c3) or the -stack-size flag. Both goroutines call the
//     stream through an interface, which that analysis cannot follow, so
//     count MaxConnections × 2 stacks of the -stack-size given: the board
//     firmware uses 4 KiB, which boards/firmware/stackprobe proves enough
//     under QEMU (2 and 3 KiB overflow), so PicoLimits take at most
//     6 × 2 × 4 KiB = 48 KiB. A stream that does more in Read, such as
//     TLS, needs larger stacks.
//   - Timers: one for the deadlines of every connection (connect timeout,
//     keep alive, flush; see watchdog), made the first time one is set,
//     and, made by a connection slot the first time it needs them, a
//     rate-limit timer with PublishRate and a wait timer for a congested
//     subscriber; slots keep and reuse them. A timer of package time with
//     its function value takes about 200 bytes on amd64, so at most about
//     400 bytes per connection that has waited.
//   - The allocator's own bookkeeping: TinyGo's heap keeps 2 bits per
//     block of the whole heap (1/64 of it on the boards), Go's runtime its
//     spans and bitmaps.
//
// # Reloading users and the ACL
//
// Broker.Reload replaces Config.Users and Config.ACL while the broker
// runs, as mosquitto rereads its password and ACL files on SIGHUP. It
// checks them as New does and refuses them whole, keeping the old ones;
// accepted, they take effect at once for new CONNECTs and for every ACL
// check, of deliveries too, while connections and sessions keep the user
// they logged in as (a removed user's clients keep only what the new
// ACL's patterns grant). This is the one place where a running broker
// allocates tables: the new users' and rules', the old ones becoming
// garbage, and the names of users never configured before, which are
// kept for good so that a user's index never changes. Stats.StateBytes
// stays the figure of New and does not count them: a budget that expects
// reloads should add the size of the largest users and ACL files.
//
// # $SYS statistics
//
// The broker itself publishes nothing under "$SYS": package sysstat does,
// through the in-process client, the statistics of Stats under mosquitto's
// $SYS/broker/ names (version, uptime, clients/connected, clients/total,
// clients/maximum, messages/stored, store/messages/count, retained
// messages/count, publish/messages/received, /sent and /dropped,
// bytes/received and /sent), as retained QoS 0 messages. They are routed
// and checked like any other message of the in-process client: the ACL
// decides who may subscribe to them and who gets each one, and they take
// a retained slot per topic. Stats.BytesIn and BytesOut, which the readers
// and writers count with an atomic add, are there for them.
//
// # Transport troubles
//
// A transport reports a failure of its own that it survives, such as
// package listen running out of file descriptors, with
// Broker.ReportTrouble, which logs it as a notice: once per Trouble per
// NoticeInterval, with the count of the failures in between.
//
// # Behaviour where the standard leaves a choice
//
// Overlapping subscriptions: a message matching several subscriptions of
// one session is delivered once, at the highest QoS granted among them.
//
// Subscriptions: filters without wildcards are found by a hash of the
// topic, filters with wildcards in a tree of their levels, so routing a
// message visits only the subscriptions that (nearly) match its topic,
// never all of them: thousands of unrelated subscriptions, such as an
// attacker's deep "+/+/…/x" filters, do not slow it down. The tree's
// nodes are a pool New sizes (Limits.SubscriptionNodes per subscription
// slot), shared by all sessions. A SUBSCRIBE filter of more than
// MaxTopicLevels levels, or one for which too few nodes are free, gets
// the SUBACK code 0x80 (MQTT 3.1.1 lets a server refuse any
// subscription, MQTT-3.9.3-2) and is counted in
// Stats.SubscriptionsRefused, with the filters refused for
// MaxSubscriptions or MaxTopicLength; the others of the SUBSCRIBE are
// granted as usual. MaxTopicLevels bounds filters, not topic names: a
// deeper PUBLISH is routed, and matches "#" and the filters ending in
// "/#" above its depth.
//
// Incoming QoS 2 follows method B of MQTT 3.1.1 section 4.3.3: the message
// is delivered on PUBLISH and its packet identifier is kept until PUBREL,
// so a resent PUBLISH is acknowledged without being delivered again. At
// most MaxInflight identifiers wait per session; a client that goes beyond
// is disconnected (ErrLimit).
//
// Keep alive: the standard does not let a 3.1.1 server change the client's
// keep alive, so a CONNECT whose keep alive is outside MinKeepAlive and
// MaxKeepAlive is refused with CONNACK 3 (server unavailable); when
// MaxKeepAlive is set, 0 (no keep alive) counts as beyond it. A connection
// that sends no packet for 1.5 times its keep alive is closed and its will
// published.
//
// Authentication: with Config.Users set, a CONNECT without a user name is
// refused with CONNACK 5 (not authorized), and one with an unknown user
// name or a wrong or missing password with CONNACK 4 (bad user name or
// password). Names and passwords are compared as SHA-256 digests in
// constant time, against every user. With no users configured anyone may
// connect and credentials are ignored.
//
// Failed logins (CONNACK 4 or 5 for the credentials) are counted in
// Stats.LoginsFailed and logged as a notice naming the source and user
// name. They are throttled per source (ServeConnFrom): once a source has
// failed three times, every further CONNECT with credentials from it is
// answered 500 ms late, twice as late after each further failure, at most
// 4 s, by the broker's clock; the connection waits without holding the
// broker, and a refused one is closed after its CONNACK. Good logins from
// that source wait too, so the time of the answer does not tell a right
// guess; clients from other sources are not delayed. Together with
// MaxPendingPerSource, which bounds the CONNECTs of a source waiting at
// once, that holds a guesser to a few guesses per second per source. A
// source is forgotten after ten minutes without a failure, or when the
// fixed table of the 64 most recently failing sources needs its slot.
// Streams without a source count as one source.
//
// Authorization: with Config.Authorize set (an Authorizer, such as
// ACL.Authorize), each PUBLISH, SUBSCRIBE filter and will topic of a
// network client is checked against the user it logged in as. The
// standard gives a server no way to tell a client that it may not
// publish (MQTT-3.3.5-2), so a denied PUBLISH is acknowledged as its QoS
// requires (PUBACK, or PUBREC then PUBCOMP) and dropped: not delivered,
// not retained, counted as DropDenied. A denied filter gets the SUBACK
// code 0x80 and is counted in Stats.SubscriptionsDenied; the other
// filters of the SUBSCRIBE are granted as usual. A denied will topic
// refuses the CONNECT with CONNACK 5 (not authorized), which tells the
// client at once rather than dropping its will unseen later. Subscribing
// is checked on the filter: a subscription is allowed only when every
// topic its filter matches may be read (see ACL). The in-process client
// is trusted and not checked. ACL.Authorize allocates nothing, so routing
// stays free of allocations with it.
//
// Config.ACL takes mosquitto's acl_file rules: Deny grants and patterns
// of the client identifier (%c) and user name (%u), the client's user
// rules deciding before the patterns. It is also checked as each message
// is delivered, so a Deny inside a granted filter holds: a "#" subscriber
// does not get a topic it is denied reading (DropReadDenied). The check
// walks the rules and compares the names in place, allocating nothing.
//
// Takeover: a CONNECT with the identifier of a connected client first
// gives the old connection 100 ms (by the broker's clock) to end by itself,
// so that packets a client sent just before reconnecting at once, such as
// acknowledgements and DISCONNECT, still count; then the old connection is
// closed as if it had failed, and its will is published.
//
// Client identifiers: an empty identifier is accepted only with clean
// session 1; the session gets no identifier and can never be resumed. A
// CONNECT with clean session 0 and an empty identifier, or an identifier
// longer than MaxClientIDLength, is refused with CONNACK 2. A will whose
// topic or payload is beyond the limits is refused with CONNACK 3 as well.
//
// Pending connections: a stream holds a connection slot from the moment
// it is served, but until its CONNECT is accepted (TLS handshake and
// login throttle included) it is pending, and pending streams cannot keep
// clients out. At most Limits.MaxPending streams are pending at once, and
// at most MaxPendingPerSource from one source (ServeConnFrom; package
// listen gives the client's IP address); a new stream beyond either
// closes the oldest pending stream, of its source for the second, with
// ErrPendingEvicted (the oldest of its source only once that one has been
// pending for a second, so that many clients behind one address can
// connect at once, as a half-CONNECT never completes), as does a new stream that finds no free slot while
// any is pending, which then waits for that slot (at most one second).
// Connected clients are never closed to make room; when every slot
// serves one, a new stream is refused (ErrTooManyConnections). Closed
// pending streams are counted in Stats.PendingEvicted and logged as a
// notice.
//
// # Offline sessions
//
// MQTT 3.1.1 keeps a persistent session until a client with its identifier
// connects with clean session 1; it has no expiry. Kept that way, clients
// that connect once with clean session 0 and leave fill any session table
// and lock every new client out. So, when MaxSessions sessions are held, a
// CONNECT that needs a new one takes the place of the session that has
// been offline longest (Limits.EvictOfflineSessions, set in every profile;
// counted in Stats.SessionsEvicted, its queued messages as
// DropSessionEnded). It is refused with CONNACK 3 only when every session
// is online, or when EvictOfflineSessions is off, and only after waiting
// 100 ms (the takeover grace) for one to be released: a client that
// connects just as another leaves would otherwise find the table held by
// a connection whose end its reader has not yet noticed. Limits.SessionExpiry
// also ends sessions offline for that long, as mosquitto's
// persistent_client_expiration does (off in the profiles, as in
// mosquitto; the boards' tables are small enough that eviction alone keeps
// them usable).
//
// Offline sessions queue QoS 1 and 2 messages only; QoS 0 messages for an
// offline session are dropped (counted as DropOffline). Their queues
// share at most MaxOfflineMessages of the message store, half of it by
// default, so that the store always has room for the deliveries of online
// clients: a session nobody reads from must not make the broker drop what
// a connected subscriber is waiting for. Beyond its own MaxQueued or that
// share, an offline session keeps its oldest messages and loses the new
// one, as mosquitto's queue does (DropOfflineQueueFull).
//
// # Slow consumers
//
// Each connection has two outbox buffers of OutboxBytes: one is written to
// the network while routing fills the other. A delivery that does not fit,
// and any QoS 1 or 2 delivery beyond the MaxInflight messages awaiting
// acknowledgement, waits in the session's queue of MaxQueued messages, in
// order; its body is stored once in the shared store of MaxMessages,
// however many sessions it goes to.
//
// When a delivery leaves a subscriber's queue three quarters full, the
// publisher's connection is not read from until that queue is down to
// half, so TCP flow control slows the publisher to the pace of its
// subscribers and nothing is lost (counted in Stats.PublishersHeld). A
// subscriber that holds a publisher back for SlowConsumerWait is marked
// slow and no longer waited for (Stats.SlowConsumers) until it catches up
// to half its queue; meanwhile, once its queue is full, new messages for
// it are dropped, for it only, and counted (DropQueueFull). When the store
// is full a message is dropped for the sessions that would have had to
// store it (DropStoreFull). The in-process client's Publish is never held
// back, and a publisher is never held back by its own session, nor while
// another publisher is held back for its session: a connection's reader
// is also the only way in for its client's acknowledgements, so two
// clients publishing QoS 1 to each other would otherwise both wait out
// SlowConsumerWait. Such a publisher is then slowed by nothing but its
// subscribers' queues, and messages beyond them are dropped as above.
//
// The broker does not disconnect a client for being slow: a client that
// stops reading is disconnected by its keep alive (its own reader stops
// once its outbox is full of acknowledgements), or when the stream fails.
// Other clients are not held up beyond SlowConsumerWait.
//
// When a wait runs out, every subscriber still congested is marked slow,
// not only the one waited for: they have all failed to drain for that
// long, and waiting for each in turn would hold the publisher once per
// subscriber. So any number of subscribers that stop reading together
// hold a publisher back for SlowConsumerWait in all.
//
// # What the broker says
//
// Every message it drops, client it refuses and subscriber it marks slow
// is counted in Stats and, with Config.Logf set, logged: each cause when
// it first happens and then at most once per NoticeInterval, with how
// many times it happened since the last line, so a flood of drops makes
// a line every few seconds and costs nothing per message. A line names
// the topic, the client and the reason. Connections that end abnormally
// are a notice too, with their source and reason: a flood of half-open or
// refused connections makes no more lines than a flood of drops.
//
// # Retained messages
//
// A retained PUBLISH replaces the retained message of its topic; one with
// an empty payload deletes it and is not stored, but is delivered live like
// any other message. At most MaxRetained topics are retained: when the
// store is full, a message for a new topic is delivered but not retained,
// and counted in Stats.RetainedRefused; messages for topics already
// retained still replace theirs. Retained messages are replayed, with the
// retain flag set, to every new or repeated subscription whose filter
// matches them; live deliveries always have the retain flag cleared.
//
// # Rate limit
//
// With Limits.PublishRate set, each session may publish PublishRate
// messages per second with bursts of PublishBurst (a token bucket, kept
// with the session). A QoS 0 PUBLISH beyond the rate is dropped and counted
// (RateLimited and DropRateLimited). A QoS 1 or 2 PUBLISH beyond the rate
// is never lost: the broker stops reading from that connection until a
// token is due, so TCP flow control slows the client down; it is counted
// in RateLimited.
//
// # Malformed and oversized packets
//
// A packet the codec refuses, a PUBLISH whose topic or payload is beyond
// the limits, a packet larger than MaxPacketSize or a packet a client may
// not send closes that connection only, and publishes its will. A
// SUBSCRIBE is never refused for its number of filters: each filter
// beyond MaxSubscriptions, longer than MaxTopicLength, of more than
// MaxTopicLevels levels, without room in the subscription tree or denied
// gets the SUBACK code 0x80, and the connection stays open.
//
// Packets that arrived before the one that closes a connection are still
// answered: their answers, such as the CONNACK of a valid CONNECT followed
// by garbage in the same segment, are written before the stream is
// closed, as mosquitto does. A client that does not read them within one
// second (by the broker's clock) is closed without them.
package broker
