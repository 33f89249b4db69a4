// Package rfc2217 carries a serial port over TCP as RFC 2217 (Telnet
// COM-PORT-OPTION, option 44) does: the client side (Port), which talks
// to ser2net or any access server, and a server side (Server), which
// serves a local device given as a Line, such as an emulated board.
//
// Linux pseudo-terminals have no modem lines, so a board emulated behind
// boards/pty cannot see DTR/RTS reset sequences or a 1200-baud touch.
// Served through Server, the board gets every SET-BAUDRATE, SET-CONTROL
// DTR and RTS as a call on its Line, in the order and at the time the
// client sends them.
//
// # Telnet layer
//
// Data bytes 0xFF are doubled on the wire (IAC IAC) both ways, also
// inside subnegotiations; Port.Read returns data bytes only. Both sides
// offer BINARY and SUPPRESS-GO-AHEAD in both directions, as ser2net does;
// the client offers WILL COM-PORT-OPTION and counts the port as usable
// once the server says DO COM-PORT-OPTION (Port.WaitNegotiated, which
// Dial calls). Other options are refused (ser2net's WILL ECHO, for one).
// Go-ahead and other single Telnet commands are dropped.
//
// # Commands
//
// Port sends SET-BAUDRATE (SetBaudRate), SET-CONTROL DTR on/off 8/9 and
// RTS on/off 11/12 (SetDTR, SetRTS), PURGE-DATA (Purge) and SIGNATURE
// (Signature), and waits for the server's answer, whose code is the
// command's plus 100 and whose value is what the server actually set.
// The wait is bounded by a context, or for SetDTR and SetRTS by the ack
// timeout (SetAckTimeout). NOTIFY-LINESTATE and NOTIFY-MODEMSTATE from
// the server are recorded (LineState, ModemState) and otherwise ignored.
//
// Server answers every command RFC 2217 asks it to answer. It serves
// 8 data bits, no parity, one stop bit and no flow control only: it
// answers SET-DATASIZE, SET-PARITY and SET-STOPSIZE with 8, NONE and 1,
// flow-control requests with NONE and BREAK with OFF, and sends no
// notifications of its own.
//
// # Limits
//
//   - No flow control, BREAK, data size, parity or stop-bit setting from
//     the client, no line/modem state masks, no FLOWCONTROL-SUSPEND.
//   - Commands run one at a time; an answer that arrives after its
//     command gave up is dropped, but one arriving while the next command
//     of the same code waits is taken as that command's answer.
//   - The Port buffers up to 1 MiB of unread data; beyond it it stops
//     reading the connection, and command answers behind that data wait
//     with it.
//   - ser2net 4.3 serving a pty answers SET-BAUDRATE and PURGE-DATA but
//     not SET-CONTROL DTR/RTS (the modem-line ioctl fails on a pty), so
//     SetDTR and SetRTS return ErrNoAnswer there.
package rfc2217
