package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// hashEvent computes an event's hash from its stored fields and the previous hash. Fields are
// netstring-encoded (length:bytes,) so no choice of content can make two events hash alike.
// buf is scratch space reused by callers that hash many events.
func hashEvent(buf []byte, e *rawEvent) (string, []byte) {
	b := buf[:0]
	field := func(s []byte) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
		b = append(b, ',')
	}
	var num [20]byte
	field(e.prevHash)
	field(strconv.AppendInt(num[:0], e.seq, 10))
	field(e.at)
	field(strconv.AppendInt(num[:0], e.actorID, 10))
	field(e.actorName)
	field(e.action)
	field(e.entityType)
	field(e.entityID)
	field(e.regionCode)
	field(e.before)
	field(e.after)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), b
}

// rawEvent is an event as stored: text fields as bytes, exactly what the hash covers.
type rawEvent struct {
	seq                                                     int64
	actorID                                                 int64
	at, actorName, action, entityType, entityID, regionCode []byte
	before, after, prevHash, hash                           []byte
}
