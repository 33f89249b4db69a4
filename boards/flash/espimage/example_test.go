package espimage_test

import (
	"fmt"
	"os"

	"github.com/gatomqtt/gatomqtt/boards/flash/espimage"
)

func ExampleCheck() {
	img, err := os.ReadFile("build/esp32c3.bin")
	if err != nil {
		fmt.Println(err)
		return
	}
	in, err := espimage.Check(img, espimage.ESP32C3)
	if err != nil {
		fmt.Println(err) // for example "espimage: image is for ESP32-S3 (chip id 9), want ESP32-C3 (chip id 5): image is for another chip"
		return
	}
	fmt.Printf("%v image, %d segments, entry 0x%08x\n", in.Chip, len(in.Segments), in.Entry)
}

func ExampleParse() {
	// The smallest image: header, extended header for chip 5 (ESP32-C3),
	// one empty segment, zero padding and the checksum 0xEF.
	img := make([]byte, 48)
	img[0], img[1] = espimage.Magic, 1
	img[12] = byte(espimage.ESP32C3)
	img[47] = espimage.ChecksumSeed

	in, err := espimage.Parse(img)
	fmt.Println(in.Chip, len(in.Segments), in.Size, err)

	_, err = espimage.Check(img, espimage.ESP32S3)
	fmt.Println(err)
	// Output:
	// ESP32-C3 1 48 <nil>
	// espimage: image is for ESP32-C3 (chip id 5), want ESP32-S3 (chip id 9): image is for another chip
}
