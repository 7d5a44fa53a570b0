package streamlog

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
)

// ReadFile reads the log at path. A missing file is an empty state. A record
// cut short at the end of the file (a crash in the middle of a write) is
// ignored; any other damage is an error naming the file.
func ReadFile(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return newState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading stream log: %w", err)
	}
	st, _, err := decodeLog(data)
	if err != nil {
		return nil, fmt.Errorf("reading stream log %s: %w", path, err)
	}
	return st, nil
}

// decodeLog replays a whole log and returns the state and how many bytes of
// it were whole records (the rest is a torn tail).
func decodeLog(data []byte) (*State, int, error) {
	if len(data) < headerSize || string(data[:headerSize]) != magic {
		return nil, 0, errors.New("not a stream log (bad header)")
	}
	st := newState()
	off := headerSize
	for off < len(data) {
		rest := data[off:]
		if len(rest) < 8 {
			return st, off, nil // torn header
		}
		n := int(binary.LittleEndian.Uint32(rest))
		sum := binary.LittleEndian.Uint32(rest[4:])
		if n == 0 {
			// A crash on some file systems leaves zeros past the last
			// write; anything else here is damage.
			if isZero(rest) {
				return st, off, nil
			}
			return nil, 0, fmt.Errorf("empty record at offset %d", off)
		}
		if n > maxRecordLen || 8+n > len(rest) {
			return st, off, nil // torn payload
		}
		payload := rest[8 : 8+n]
		if crc32.Checksum(payload, castagnoli) != sum {
			if 8+n == len(rest) {
				return st, off, nil // the last record, partly written
			}
			return nil, 0, fmt.Errorf("damaged record at offset %d", off)
		}
		r, err := decodeRecord(payload)
		if err != nil {
			return nil, 0, fmt.Errorf("record at offset %d: %w", off, err)
		}
		if err := st.apply(r); err != nil {
			return nil, 0, fmt.Errorf("record at offset %d: %w", off, err)
		}
		off += 8 + n
	}
	return st, off, nil
}

func isZero(b []byte) bool { return len(bytes.Trim(b, "\x00")) == 0 }
