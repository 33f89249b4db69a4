package uf2_test

import (
	"fmt"

	"github.com/gatomqtt/gatomqtt/boards/flash/uf2"
)

func ExampleEncode() {
	bin := make([]byte, 600) // a flat binary linked at the start of flash
	file, err := uf2.Encode(bin, uf2.RP2040FlashBase, uf2.FamilyRP2040)
	if err != nil {
		fmt.Println(err)
		return
	}
	im, err := uf2.Validate(file, uf2.RP2040)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d bytes, %d blocks, writes %d bytes at 0x%08x\n", len(file), im.Blocks, im.Size(), im.Chunks[0].Addr)
	// Output: 1536 bytes, 3 blocks, writes 768 bytes at 0x10000000
}

func ExampleValidate() {
	file, _ := uf2.Encode(make([]byte, 256), 0x20000000, uf2.FamilyRP2040)
	_, err := uf2.Validate(file, uf2.RP2040)
	fmt.Println(err)
	// Output: uf2: block 0: address 0x20000000 outside flash 0x10000000..0x10200000
}

func ExampleParseInfo() {
	in, err := uf2.ParseInfo("UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(in.Version, in.Model, in.RP2040Bootrom())
	// Output: v3.0 Raspberry Pi RP2 true
}
