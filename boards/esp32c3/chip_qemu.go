//go:build tinygo && gatomqtt_qemu

package main

import (
	"device/riscv"
	"machine"
	"runtime"
	"runtime/volatile"
	"time"
	"unsafe"

	"github.com/gatomqtt/gatomqtt/boards/firmware"
)

// platform is what the hello says runs the firmware: TinyGo-compiled
// code, on an emulated RISC-V CPU rather than the chip.
const platform = "tinygo on QEMU riscv32 virt, standing in for the ESP32-C3"

// The virt machine's devices (QEMU's hw/riscv/virt.c memory map).
const (
	uartBase     = 0x10000000 // NS16550A, one byte per register
	clintMtime   = 0x0200BFF8 // the CLINT's 64-bit mtime
	mtimeHz      = 10_000_000 // its time base
	testFinisher = 0x00100000 // SiFive test device: pass, fail, reset
)

// NS16550 registers and bits.
const (
	regData   = 0 // RBR on read, THR on write
	regFCR    = 2
	regLSR    = 5
	lsrReady  = 0x01 // a received byte waits in RBR
	lsrTxIdle = 0x20 // THR takes a byte

	fcrEnable    = 0x01 // both FIFOs on
	fcrClear     = 0x06 // both FIFOs emptied
	fcrTrigger14 = 0xC0 // receive trigger level: 14 bytes
)

func reg(off uintptr) *volatile.Register8 {
	return (*volatile.Register8)(unsafe.Pointer(uintptr(uartBase) + off))
}

// uart is the virt machine's NS16550, polled both ways: TinyGo's runtime
// for this machine writes to it but does not read it. QEMU holds what the
// host sends until the FIFO has room, so nothing is lost by polling.
type uart struct{}

func (uart) Write(p []byte) (int, error) {
	for _, c := range p {
		for reg(regLSR).Get()&lsrTxIdle == 0 {
		}
		reg(regData).Set(c)
	}
	return len(p), nil
}

func (uart) ReadByte() (byte, error) { return reg(regData).Get(), nil }

func (uart) Buffered() int {
	if reg(regLSR).Get()&lsrReady != 0 {
		return 1
	}
	return 0
}

// serialPort enables the UART's FIFOs and starts the clock.
//
// The receive trigger level matters although nothing here takes the
// UART's interrupt: QEMU's NS16550 offers the host's bytes to its FIFO
// only up to the trigger level (one byte at level 1, FCR 0x07), so at
// level 1 it took one byte from the socket per poll of the firmware, about
// 4 KB/s, too slow for the link: a window of full frames then takes longer
// to cross than its largest retransmission timeout, and the QoS 1 soak
// retransmitted thousands of frames and took 55-85 s. At level 14 the
// FIFO takes up to 14 bytes at a time.
func serialPort(int) (firmware.Port, int) {
	reg(regFCR).Set(fcrEnable | fcrClear | fcrTrigger14)
	go keepTime()
	return uart{}, 0
}

// mtime reads the CLINT's counter, the machine's real time.
func mtime() uint64 {
	lo := (*volatile.Register32)(unsafe.Pointer(uintptr(clintMtime)))
	hi := (*volatile.Register32)(unsafe.Pointer(uintptr(clintMtime + 4)))
	for {
		h := hi.Get()
		l := lo.Get()
		if hi.Get() == h {
			return uint64(h)<<32 | uint64(l)
		}
	}
}

// keepTime keeps the runtime's clock on the machine's. TinyGo's runtime
// for the virt machine counts time only by the sleeps it has done (it
// jumps to the next timer when every goroutine waits), so on its own
// time.Now would run far ahead of the wall clock and the broker's keep
// alive would close connections early. This goroutine sleeps just as
// long as the machine's real time has run ahead of the runtime's, and
// yields otherwise, so the runtime's clock follows mtime and no timer
// fires before its time.
//
// The runtime's clock advances by the keeper's sleeps, in quanta: when
// it is less than a quantum behind, the keeper lets ready goroutines run,
// then idles the CPU (wfi) until the machine's clock is a quantum ahead,
// then sleeps that quantum. Sleeping whatever tiny lag there was instead
// kept QEMU's CPU thread at 100 % (every sleep woke the keeper at once),
// which with two boards emulated on two cores starved everything else.
// Goroutines that compute hold the runtime's clock still, so the lag then
// grows past a quantum and is slept off in one go.
func keepTime() {
	t0, v0 := mtime(), time.Now()
	for {
		virt := time.Since(v0)
		real := time.Duration((mtime() - t0) * (1e9 / mtimeHz))
		if d := real - virt; d >= quantum {
			time.Sleep(d)
			continue
		}
		runtime.Gosched()
		idleUntil(t0 + uint64((virt+quantum)/(1e9/mtimeHz)))
	}
}

// quantum is the step of the runtime's clock while the firmware idles: it
// bounds how late an idle board sees bytes arrive (the UART is polled, not
// interrupt-driven), and sets how often QEMU wakes (an idle board took 28 %
// of a host core at 250 µs, 57 % at 100 µs, 100 % without idling).
const quantum = 250 * time.Microsecond

// clintMtimecmp is hart 0's timer compare register.
const clintMtimecmp = 0x02004000

// idleUntil waits for an interrupt with the machine timer set to fire at
// mtime t. Interrupts stay globally disabled (mstatus.MIE, which TinyGo's
// runtime for this machine never sets), so no trap is taken: wfi returns
// when the timer's interrupt is pending and enabled in mie, as the
// privileged spec requires whatever the global enable.
func idleUntil(t uint64) {
	lo := (*volatile.Register32)(unsafe.Pointer(uintptr(clintMtimecmp)))
	hi := (*volatile.Register32)(unsafe.Pointer(uintptr(clintMtimecmp + 4)))
	hi.Set(0xFFFFFFFF) // no early match while the low word changes
	lo.Set(uint32(t))
	hi.Set(uint32(t >> 32))
	riscv.MIE.SetBits(1 << 7) // MTIE
	riscv.Asm("wfi")
}

// heartbeat: the virt machine has no LED.
func heartbeat() func(on bool) { return func(bool) {} }

// epoch draws the link's run name from the virtio entropy device
// (-device virtio-rng-device), so that the host sees every reboot.
func epoch() uint32 {
	for {
		if n, err := machine.GetRNG(); err == nil && n != 0 {
			return n
		}
	}
}

// reset resets the machine through the test device, as the chip's
// software reset does; there is no ROM loader to stay in.
func reset(firmware.ResetMode) {
	(*volatile.Register32)(unsafe.Pointer(uintptr(testFinisher))).Set(0x7777)
	for {
	}
}
