package espimage

import "fmt"

// A Chip is the chip ID in an image's extended header.
type Chip uint16

// Chip IDs.
const (
	ESP32   Chip = 0
	ESP32S2 Chip = 2
	ESP32C3 Chip = 5
	ESP32S3 Chip = 9
	ESP32C2 Chip = 12
	ESP32C6 Chip = 13
	ESP32H2 Chip = 16
)

var chipNames = map[Chip]string{
	ESP32:   "ESP32",
	ESP32S2: "ESP32-S2",
	ESP32C3: "ESP32-C3",
	ESP32S3: "ESP32-S3",
	ESP32C2: "ESP32-C2",
	ESP32C6: "ESP32-C6",
	ESP32H2: "ESP32-H2",
}

// String returns the chip's name, such as "ESP32-C3", or "unknown chip"
// and the number.
func (c Chip) String() string {
	if n, ok := chipNames[c]; ok {
		return n
	}
	return fmt.Sprintf("unknown chip %d", uint16(c))
}

// SPIMode is the flash read mode in an image header.
type SPIMode byte

// SPI flash modes.
const (
	QIO  SPIMode = 0
	QOUT SPIMode = 1
	DIO  SPIMode = 2
	DOUT SPIMode = 3
)

func (m SPIMode) String() string {
	switch m {
	case QIO:
		return "QIO"
	case QOUT:
		return "QOUT"
	case DIO:
		return "DIO"
	case DOUT:
		return "DOUT"
	}
	return fmt.Sprintf("SPI mode %d", byte(m))
}
