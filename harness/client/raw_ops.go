package client

import (
	"fmt"
	"time"

	"github.com/gatomqtt/gatomqtt/broker/packet"
	"github.com/gatomqtt/gatomqtt/harness/target"
)

// ConnectOptions are the fields of a well-formed CONNECT. For anything
// else (bad flags, wrong protocol level) Send a packet.Connect or bytes.
type ConnectOptions struct {
	ClientID     string
	CleanSession bool
	KeepAlive    uint16 // seconds; 0 disables keep alive
	Username     string // sent when not empty
	Password     string // sent when not empty (needs Username)
	Will         *Will
}

// Will is a CONNECT's will message.
type Will struct {
	Topic   string
	Message []byte
	QoS     packet.QoS
	Retain  bool
}

// WithCredentials returns o presenting creds when o names no user and
// creds is not nil: what every client of the harness does, so that specs
// about other fields are not refused for want of a user name.
func (o ConnectOptions) WithCredentials(creds *target.User) ConnectOptions {
	if creds != nil && o.Username == "" {
		o.Username, o.Password = creds.Name, creds.Password
	}
	return o
}

// Packet returns the CONNECT the options describe.
func (o ConnectOptions) Packet() *packet.Connect {
	p := &packet.Connect{
		ProtocolLevel: 4,
		CleanSession:  o.CleanSession,
		KeepAlive:     o.KeepAlive,
		ClientID:      []byte(o.ClientID),
	}
	if o.Username != "" {
		p.UsernameFlag, p.Username = true, []byte(o.Username)
	}
	if o.Password != "" {
		p.PasswordFlag, p.Password = true, []byte(o.Password)
	}
	if w := o.Will; w != nil {
		p.WillFlag, p.WillQoS, p.WillRetain = true, w.QoS, w.Retain
		p.WillTopic, p.WillMessage = []byte(w.Topic), w.Message
	}
	return p
}

// Connect sends a CONNECT and returns the CONNACK, whatever its return
// code; it fails when anything else arrives or nothing within timeout.
func (c *RawClient) Connect(o ConnectOptions, timeout time.Duration) (*packet.Connack, error) {
	if err := c.Send(o.Packet()); err != nil {
		return nil, err
	}
	return c.ExpectConnack(timeout)
}

// Disconnect sends DISCONNECT and closes the connection.
func (c *RawClient) Disconnect() error {
	err := c.Send(&packet.Disconnect{})
	if cerr := c.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// Subscribe sends a SUBSCRIBE with one filter per topic, all at qos, and
// returns the SUBACK.
func (c *RawClient) Subscribe(id uint16, qos packet.QoS, timeout time.Duration, filters ...string) (*packet.Suback, error) {
	if err := c.Send(packet.NewSubscribe(id, filtersAt(qos, filters)...)); err != nil {
		return nil, err
	}
	return c.ExpectSuback(id, timeout)
}

// filtersAt pairs each topic filter with qos, for NewSubscribe.
func filtersAt(qos packet.QoS, filters []string) []packet.Filter {
	fs := make([]packet.Filter, len(filters))
	for i, f := range filters {
		fs[i] = packet.Filter{Topic: []byte(f), QoS: qos}
	}
	return fs
}

// Publish sends a PUBLISH. It does not wait for an acknowledgement: use
// ExpectPuback or ExpectPubrec, or withhold them on purpose.
func (c *RawClient) Publish(topic string, payload []byte, qos packet.QoS, retain bool, id uint16) error {
	return c.Send(&packet.Publish{Topic: []byte(topic), Payload: payload, QoS: qos, Retain: retain, PacketID: id})
}

// ExpectConnack reads the next packet, which must be a CONNACK.
func (c *RawClient) ExpectConnack(timeout time.Duration) (*packet.Connack, error) {
	p, err := c.Expect(packet.CONNACK, timeout)
	if err != nil {
		return nil, err
	}
	return p.(*packet.Connack), nil
}

// ExpectPublish reads the next packet, which must be a PUBLISH.
func (c *RawClient) ExpectPublish(timeout time.Duration) (*packet.Publish, error) {
	p, err := c.Expect(packet.PUBLISH, timeout)
	if err != nil {
		return nil, err
	}
	return p.(*packet.Publish), nil
}

// ExpectPingresp reads the next packet, which must be a PINGRESP.
func (c *RawClient) ExpectPingresp(timeout time.Duration) error {
	_, err := c.Expect(packet.PINGRESP, timeout)
	return err
}

// ExpectPuback reads the next packet, which must be a PUBACK for id.
func (c *RawClient) ExpectPuback(id uint16, timeout time.Duration) error {
	_, err := c.expectAck(packet.PUBACK, id, timeout)
	return err
}

// ExpectPubrec reads the next packet, which must be a PUBREC for id.
func (c *RawClient) ExpectPubrec(id uint16, timeout time.Duration) error {
	_, err := c.expectAck(packet.PUBREC, id, timeout)
	return err
}

// ExpectPubrel reads the next packet, which must be a PUBREL for id.
func (c *RawClient) ExpectPubrel(id uint16, timeout time.Duration) error {
	_, err := c.expectAck(packet.PUBREL, id, timeout)
	return err
}

// ExpectPubcomp reads the next packet, which must be a PUBCOMP for id.
func (c *RawClient) ExpectPubcomp(id uint16, timeout time.Duration) error {
	_, err := c.expectAck(packet.PUBCOMP, id, timeout)
	return err
}

// ExpectSuback reads the next packet, which must be a SUBACK for id.
func (c *RawClient) ExpectSuback(id uint16, timeout time.Duration) (*packet.Suback, error) {
	p, err := c.expectAck(packet.SUBACK, id, timeout)
	if err != nil {
		return nil, err
	}
	return p.(*packet.Suback), nil
}

// ExpectUnsuback reads the next packet, which must be an UNSUBACK for id.
func (c *RawClient) ExpectUnsuback(id uint16, timeout time.Duration) error {
	_, err := c.expectAck(packet.UNSUBACK, id, timeout)
	return err
}

func (c *RawClient) expectAck(t packet.Type, id uint16, timeout time.Duration) (packet.Packet, error) {
	return c.expect(fmt.Sprintf("%s for id %d", t, id), timeout, func(p packet.Packet) bool {
		got, ok := packetID(p)
		return p.Type() == t && ok && got == id
	})
}
