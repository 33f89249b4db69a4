// runner.mjs runs RP2040 firmware (a UF2 image) in the rp2040js emulator
// and bridges the board's serial port to one TCP connection.
//
//	node runner.mjs [flags] BOOTROM UF2
//
//	--serial=usb|uart  the firmware's serial port: USB CDC (default, TinyGo's
//	                   machine.Serial on -target=pico) or UART0
//	--host=127.0.0.1   --port=0 (0 picks a free port)
//	--usb-interval-us=1000  emulated time between host-to-device USB packets
//	--baud=115200      UART0 pacing until the firmware sets its divider
//	--unthrottled      let emulated time run ahead of wall time (see below)
//	--verbose          a JSON status line every --status-every seconds of
//	                   emulated time (default 1), and the emulator's warnings
//
// Stdout carries lines only: first "listening PORT" once the socket is bound,
// then "time NANOS" for each "time" line read on stdin (NANOS: emulated
// nanoseconds since reset), and the JSON status lines with --verbose.
// Diagnostics go to stderr. The runner exits when stdin closes, on SIGTERM
// or SIGINT, and with status 2 when the firmware cannot be loaded.
//
// One client at a time: further connections are closed at once. Bytes the
// board sends while no client is connected are dropped, as a serial port
// with nobody listening drops them.
//
// Host-to-board bytes reach the firmware no faster than the real line would
// carry them, in emulated time, because neither path has back-pressure into
// the firmware: UART0 has a 32-byte receive FIFO that drops what overflows,
// and TinyGo's USB CDC copies every OUT packet into a 128-byte ring that
// drops what does not fit. Over UART one byte is fed per character time (10
// bits at the baud rate); over USB one packet of at most 64 bytes per
// --usb-interval-us. Bytes waiting for their turn queue here; the socket is
// paused while that queue is long, which is the back-pressure the TCP peer
// sees.
//
// Time: the CPU runs as fast as the emulator can (about 40 % of a real
// RP2040 when busy), and while it waits for an interrupt the runner skips
// to the next timer alarm, but never past the wall time since start: the
// board's clock runs at most at real speed, so firmware time-outs (MQTT
// keep-alive, link retransmissions) never fire early against a host that
// lives in real time. --unthrottled lifts that cap, for firmware that
// mostly sleeps.
//
// rp2040js 1.4.1 needs corrections for TinyGo firmware, applied below:
// exception entry leaves the Thumb bit set in the PC; its USB CDC host sends
// SET_CONTROL_LINE_STATE to the device rather than the interface; its USB
// controller reports IN transfers done too early; and the boot ROM cannot
// boot from its flash model (the runner starts at boot2 instead).

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  DataDirection,
  RP2040,
  SetupRecipient,
  SetupType,
  USBCDC,
  createSetupPacket,
} from 'rp2040js';

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    serial: { type: 'string', default: 'usb' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'usb-interval-us': { type: 'string', default: '1000' },
    baud: { type: 'string', default: '115200' },
    unthrottled: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    'status-every': { type: 'string', default: '1' },
  },
});

function fail(msg) {
  process.stderr.write(`runner: ${msg}\n`);
  process.exit(2);
}

if (positionals.length !== 2) fail('usage: node runner.mjs [flags] BOOTROM UF2');
if (opts.serial !== 'usb' && opts.serial !== 'uart') fail('--serial must be usb or uart');
const [bootromPath, uf2Path] = positionals;
const usbIntervalNanos = Number(opts['usb-interval-us']) * 1000;
const statusEveryNanos = Number(opts['status-every']) * 1e9;

// The emulator's log goes to stderr: stdout is the protocol above. Its
// default logger prints every debug message and throws on errors.
const logger = {
  debug() {},
  info(component, msg) {
    if (opts.verbose) process.stderr.write(`${component}: ${msg}\n`);
  },
  warn(component, msg) {
    if (opts.verbose) process.stderr.write(`${component}: ${msg}\n`);
  },
  error(component, msg) {
    process.stderr.write(`${component}: error: ${msg}\n`);
  },
};

const mcu = new RP2040();
mcu.logger = logger;

function readOrFail(path) {
  try {
    return readFileSync(path);
  } catch (err) {
    return fail(err.message);
  }
}

// The boot ROM first: loadBootrom resets the chip, which erases flash.
const rom = readOrFail(bootromPath);
if (rom.length !== 16384) fail(`${bootromPath}: ${rom.length} bytes, want a 16384-byte boot ROM`);
mcu.loadBootrom(new Uint32Array(Uint8Array.from(rom).buffer));
loadUF2(readOrFail(uf2Path));

// Start at the second-stage boot loader at the head of flash, as the boot
// ROM would after copying and checking it. The ROM itself cannot get there
// in rp2040js 1.4.1: it reads boot2 through SSI commands the model does not
// answer (the CRC check fails), and before that it would park on
// VREG_AND_CHIP_RESET reading all ones (a "debugger restart" flag) and on
// QSPI_SS reading low (BOOTSEL held). The ROM stays loaded: the firmware
// calls its function table.
mcu.core.PC = 0x10000000;

// loadUF2 writes the payload of every UF2 block addressed to flash into the
// emulated flash.
function loadUF2(image) {
  const flashBase = 0x10000000;
  if (image.length === 0 || image.length % 512 !== 0) fail(`${uf2Path}: not a UF2 image`);
  for (let at = 0; at < image.length; at += 512) {
    const block = image.subarray(at, at + 512);
    const word = (i) => block.readUInt32LE(i);
    if (word(0) !== 0x0a324655 || word(4) !== 0x9e5d5157 || word(508) !== 0x0ab16f30) {
      fail(`${uf2Path}: bad UF2 magic in block ${at / 512}`);
    }
    if (word(8) & 1) continue; // flagged "not main flash"
    const addr = word(12);
    const size = word(16);
    if (size > 476 || addr < flashBase || addr + size > flashBase + mcu.flash.length) {
      fail(`${uf2Path}: block ${at / 512} outside flash`);
    }
    mcu.flash.set(block.subarray(32, 32 + size), addr - flashBase);
  }
}

// Correction 1: the core enters a handler with the vector's Thumb bit still
// set in the PC. Instructions still fetch from the even address, but
// PC-relative loads and jump tables (TinyGo's USB interrupt handler has one)
// compute from the odd value and go astray. Clear the bit after each entry.
const core = mcu.core;
const enterException = core.exceptionEntry.bind(core);
core.exceptionEntry = (n) => {
  enterException(n);
  core.PC = core.PC & ~1;
};

// The RP2040's ring oscillator is not modelled: its RANDOMBIT would read as
// 1 forever, so firmware drawing random numbers (the link epoch) would get
// the same value on every boot. Answer that one register with random bits.
const ROSC_RANDOMBIT = 0x1c;
const rosc = mcu.peripherals[0x40060];
const roscRead = rosc.readUint32.bind(rosc);
rosc.readUint32 = (offset) =>
  (offset & 0xfff) === ROSC_RANDOMBIT ? (Math.random() < 0.5 ? 1 : 0) : roscRead(offset);

// Host-to-board queue: chunks from the socket, consumed by the pacers.
const queue = [];
let queued = 0;
let client = null;
const highWater = 64 * 1024;
const lowWater = 16 * 1024;

function take(max) {
  const n = Math.min(max, queued);
  const out = Buffer.allocUnsafe(n);
  let filled = 0;
  while (filled < n) {
    const head = queue[0];
    const k = Math.min(head.length, n - filled);
    head.copy(out, filled, 0, k);
    filled += k;
    if (k === head.length) queue.shift();
    else queue[0] = head.subarray(k);
  }
  queued -= n;
  if (client && client.isPaused() && queued < lowWater) client.resume();
  return out;
}

// Board-to-host bytes collect here and go out at the end of each run slice,
// so that a byte-at-a-time UART does not make a socket write per byte.
let outbox = [];
function toHost(bytes) {
  if (client) outbox.push(Buffer.from(bytes));
}
function flushOutbox() {
  if (outbox.length === 0) return;
  if (client) client.write(outbox.length === 1 ? outbox[0] : Buffer.concat(outbox));
  outbox = [];
}

let pump; // called when the queue gains bytes
const clock = mcu.clock;

if (opts.serial === 'uart') {
  const uart = mcu.uart[0];
  uart.onByte = (b) => toHost([b]);
  const fallbackBaud = Number(opts.baud);
  let nextAt = 0; // emulated time before which no byte may follow the last
  let feeding = false; // (a fired alarm keeps its "scheduled" flag)
  const feed = clock.createAlarm(() => {
    feeding = false;
    uart.feedByte(take(1)[0]);
    const baud = Number.isFinite(uart.baudRate) && uart.baudRate > 0 ? uart.baudRate : fallbackBaud;
    const charNanos = 1e10 / baud; // 10 bits: start, 8 data, stop
    nextAt = clock.nanos + charNanos;
    pump();
  });
  pump = () => {
    if (queued === 0 || feeding) return;
    feeding = true;
    feed.schedule(Math.max(0, nextAt - clock.nanos));
  };
} else {
  const cdc = new USBCDC(mcu.usbCtrl);
  // Correction 2: SET_CONTROL_LINE_STATE is a class request to the CDC
  // interface (bmRequestType 0x21). Sent to the device, TinyGo stalls it,
  // DTR stays low and the firmware drops every write.
  cdc.cdcSetControlLineState = function (value = 0x3, iface = 0) {
    this.usb.sendSetupPacket(
      createSetupPacket({
        dataDirection: DataDirection.HostToDevice,
        type: SetupType.Class,
        recipient: SetupRecipient.Interface,
        bRequest: 0x22, // SET_CONTROL_LINE_STATE
        wValue: value, // DTR | RTS
        wIndex: iface,
        wLength: 0,
      }),
    );
    this.initialized = true;
  };
  cdc.onSerialData = (bytes) => toHost(bytes);

  // Correction 3: the controller reports an IN buffer done the moment the
  // firmware hands it over, while the firmware is still in its interrupt
  // handler. TinyGo's handler then clears BUFF_STATUS with the bits it read
  // on entry, which include that endpoint's: the new completion is lost,
  // TinyGo waits for it forever and the board never sends again. Report
  // IN completions when the host has taken the packet, as the chip does.
  const usb = mcu.usbCtrl;
  const bufferReady = usb.indicateBufferReady.bind(usb);
  let inDone = 0; // IN endpoints whose completion is due
  const inAlarm = clock.createAlarm(() => {
    for (let ep = 0; inDone !== 0; ep++) {
      if (inDone & (1 << ep)) {
        inDone &= ~(1 << ep);
        bufferReady(ep, false);
      }
    }
  });
  usb.indicateBufferReady = (endpoint, out) => {
    if (out) {
      bufferReady(endpoint, out);
      return;
    }
    // A fired alarm keeps its "scheduled" flag: track our own state.
    if (inDone === 0) inAlarm.schedule(usb.writeDelayMicroseconds * 1000);
    inDone |= 1 << endpoint;
  };

  // The helper answers every OUT token at once, with a zero-length packet
  // when it has nothing, and keeps its own 512-byte FIFO. Replace that: an
  // armed OUT endpoint waits (as a real host NAKs it) until bytes are
  // queued, then gets one packet, spaced from the previous one.
  let armed = 0; // bytes the firmware's armed OUT buffer takes; 0: not armed
  let nextAt = 0;
  pump = () => {
    if (armed === 0 || queued === 0) return;
    const delayNanos = Math.max(usb.readDelayMicroseconds * 1000, nextAt - clock.nanos);
    const packet = take(Math.min(armed, 64));
    armed = 0;
    nextAt = clock.nanos + delayNanos + usbIntervalNanos;
    usb.endpointReadDone(cdc.outEndpoint, packet, delayNanos / 1000);
  };
  usb.onEndpointRead = (endpoint, size) => {
    if (endpoint !== cdc.outEndpoint) return;
    armed = size;
    pump();
  };
}

// The TCP side.
const server = createServer((sock) => {
  if (client) {
    sock.destroy();
    return;
  }
  client = sock;
  sock.setNoDelay(true);
  sock.on('data', (chunk) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued > highWater) sock.pause();
    pump();
    wake();
  });
  const drop = () => {
    if (client !== sock) return;
    client = null;
    queue.length = 0;
    queued = 0;
    outbox = [];
  };
  sock.on('close', drop);
  sock.on('error', drop);
});
server.on('error', (err) => fail(`listen: ${err.message}`));
server.listen(Number(opts.port), opts.host, () => {
  process.stdout.write(`listening ${server.address().port}\n`);
  start();
});

// Status lines and the stdin commands.
let instructions = 0;
function status() {
  const wallNanos = Math.round((performance.now() - runStart) * 1e6);
  return JSON.stringify({
    emulated_ns: Math.round(clock.nanos),
    wall_ns: wallNanos,
    instructions,
    // instructions executed per wall second, in millions: the emulator's speed
    mips: +(instructions / (wallNanos / 1e3)).toFixed(1),
    // emulated clock cycles per wall second, in MHz, counting the idle time
    // skipped to the next alarm: how fast the board's time runs
    effective_mhz: +((clock.nanos * mcu.clkSys) / 1e9 / (wallNanos / 1e3)).toFixed(1),
    pc: core.PC >>> 0,
    client: client !== null,
    queued,
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = line.trim();
  if (cmd === 'time') process.stdout.write(`time ${Math.round(clock.nanos)}\n`);
  else if (cmd === 'status') process.stdout.write(`${status()}\n`);
  else if (cmd !== '') process.stderr.write(`runner: unknown command ${JSON.stringify(cmd)}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

// The CPU loop: run instructions for about sliceMillis of wall time, then
// let the event loop deliver socket data and stdin lines. A core waiting
// for an interrupt (WFI/WFE) skips ahead to the next timer alarm, unless
// that alarm lies ahead of wall time (see Time above) or there is none:
// then the loop naps, until the alarm is due or the host sends bytes.
const sliceMillis = 10;
let nextStatus = statusEveryNanos;
let napTimer = null;
let runStart = 0; // performance.now() when the CPU started

function runSlice() {
  napTimer = null;
  const until = performance.now() + sliceMillis;
  let napMillis = 0;
  do {
    const cycleNanos = 1e9 / mcu.clkSys;
    const wallNanos = (performance.now() - runStart) * 1e6;
    for (let i = 0; i < 20000; i++) {
      if (core.waiting) {
        const skip = clock.nanosToNextAlarm;
        const ahead = clock.nanos + skip - wallNanos;
        if (skip <= 0) {
          napMillis = sliceMillis;
          break;
        }
        if (!opts.unthrottled && ahead > 0) {
          napMillis = Math.min(sliceMillis, Math.max(1, ahead / 1e6));
          break;
        }
        clock.tick(skip);
      } else {
        clock.tick(core.executeInstruction() * cycleNanos);
        instructions++;
      }
    }
  } while (napMillis === 0 && performance.now() < until);
  flushOutbox();
  if (opts.verbose && clock.nanos >= nextStatus) {
    process.stdout.write(`${status()}\n`);
    nextStatus = clock.nanos + statusEveryNanos;
  }
  if (napMillis > 0) napTimer = setTimeout(runSlice, napMillis);
  else setImmediate(runSlice);
}

// wake ends a nap early: the host has sent bytes the firmware should see.
function wake() {
  if (napTimer === null) return;
  clearTimeout(napTimer);
  napTimer = null;
  setImmediate(runSlice);
}

function start() {
  runStart = performance.now();
  setImmediate(runSlice);
}
