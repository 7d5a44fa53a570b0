package streamlog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The log is a header followed by records. Each record is framed as
// length (4 bytes, little endian) | CRC-32C of the payload (4 bytes) | payload,
// so a record cut short by a crash is recognised and dropped at the end of
// the file, and a damaged one anywhere else is reported rather than
// misread. A payload is a kind byte followed by uvarint-prefixed strings and
// uvarint-encoded ids.

const (
	magic        = "CMDSTRM1"
	headerSize   = 8
	maxRecordLen = 1 << 30
)

type kind byte

const (
	// kindStream: the stream exists and its entries so far had ids up to id.
	kindStream kind = 's'
	// kindStreamGone: the stream key was deleted.
	kindStreamGone kind = 'S'
	// kindEntry: an entry was added.
	kindEntry kind = 'e'
	// kindTrim: every entry with an id below id is gone.
	kindTrim kind = 't'
	// kindDelete: the entries with these ids are gone.
	kindDelete kind = 'd'
	// kindGroup: the group resumes after id.
	kindGroup kind = 'g'
	// kindGroupGone: the group was destroyed.
	kindGroupGone kind = 'G'
)

type record struct {
	kind   kind
	stream string
	id     ID
	group  string   // kindGroup, kindGroupGone
	values []string // kindEntry: field, value, field, value…
	ids    []ID     // kindDelete
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendRecord appends r, framed, to buf.
func appendRecord(buf []byte, r record) []byte {
	start := len(buf)
	buf = append(buf, make([]byte, 8)...)
	buf = append(buf, byte(r.kind))
	buf = appendString(buf, r.stream)
	switch r.kind {
	case kindStream, kindTrim:
		buf = appendID(buf, r.id)
	case kindEntry:
		buf = appendID(buf, r.id)
		buf = binary.AppendUvarint(buf, uint64(len(r.values)))
		for _, v := range r.values {
			buf = appendString(buf, v)
		}
	case kindDelete:
		buf = binary.AppendUvarint(buf, uint64(len(r.ids)))
		for _, id := range r.ids {
			buf = appendID(buf, id)
		}
	case kindGroup:
		buf = appendString(buf, r.group)
		buf = appendID(buf, r.id)
	case kindGroupGone:
		buf = appendString(buf, r.group)
	}
	payload := buf[start+8:]
	binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(payload, castagnoli))
	return buf
}

func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

func appendID(buf []byte, id ID) []byte {
	buf = binary.AppendUvarint(buf, id.Ms)
	return binary.AppendUvarint(buf, id.Seq)
}

var errShort = errors.New("record ends early")

type decoder struct{ b []byte }

func (d *decoder) uvarint() (uint64, error) {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, errShort
	}
	d.b = d.b[n:]
	return v, nil
}

func (d *decoder) string() (string, error) {
	n, err := d.uvarint()
	if err != nil {
		return "", err
	}
	if n > uint64(len(d.b)) {
		return "", errShort
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s, nil
}

func (d *decoder) id() (ID, error) {
	ms, err := d.uvarint()
	if err != nil {
		return ID{}, err
	}
	seq, err := d.uvarint()
	return ID{ms, seq}, err
}

// decodeRecord reads one payload (checked by its CRC already).
func decodeRecord(p []byte) (record, error) {
	if len(p) == 0 {
		return record{}, errShort
	}
	r := record{kind: kind(p[0])}
	d := &decoder{b: p[1:]}
	var err error
	if r.stream, err = d.string(); err != nil {
		return r, err
	}
	switch r.kind {
	case kindStream, kindTrim:
		r.id, err = d.id()
	case kindStreamGone:
	case kindEntry:
		if r.id, err = d.id(); err != nil {
			return r, err
		}
		var n uint64
		if n, err = d.uvarint(); err != nil {
			return r, err
		}
		if n > uint64(len(d.b)) {
			return r, errShort
		}
		r.values = make([]string, n)
		for i := range r.values {
			if r.values[i], err = d.string(); err != nil {
				return r, err
			}
		}
	case kindDelete:
		var n uint64
		if n, err = d.uvarint(); err != nil {
			return r, err
		}
		if n > uint64(len(d.b)) {
			return r, errShort
		}
		r.ids = make([]ID, n)
		for i := range r.ids {
			if r.ids[i], err = d.id(); err != nil {
				return r, err
			}
		}
	case kindGroup:
		if r.group, err = d.string(); err != nil {
			return r, err
		}
		r.id, err = d.id()
	case kindGroupGone:
		r.group, err = d.string()
	default:
		return r, fmt.Errorf("unknown record kind %q", byte(r.kind))
	}
	if err == nil && len(d.b) != 0 {
		err = fmt.Errorf("%d bytes after a %q record", len(d.b), byte(r.kind))
	}
	return r, err
}
