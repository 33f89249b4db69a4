package link

// crc32 computes the IEEE CRC-32 (the one of Ethernet, zlib and
// hash/crc32.ChecksumIEEE) with a 16-entry table: 64 bytes that TinyGo keeps
// in flash, where hash/crc32 builds 1 KiB to 8 KiB of tables in RAM on a
// board. Two lookups per byte are fast enough for any serial line.
func crc32(p []byte) uint32 {
	crc := ^uint32(0)
	for _, b := range p {
		crc ^= uint32(b)
		crc = crc>>4 ^ crcNibble[crc&0xF]
		crc = crc>>4 ^ crcNibble[crc&0xF]
	}
	return ^crc
}

// crcNibble[i] is the CRC of the 4-bit value i for the reflected
// polynomial 0xEDB88320.
var crcNibble = [16]uint32{
	0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC,
	0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
	0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
	0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
}
