// Package defhash is the one definition identity: "sha256:<hex>" of a
// pipeline definition's compact JSON. The compiler stamps it on what it
// emits, the diff on what it reads back, the deploy on what SageMaker holds
// and what it checks before sending; all of them ask here, so the same
// definition has the same hash whoever computes it.
package defhash

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Prefix starts every hash.
const Prefix = "sha256:"

// Of is the hash of a definition already in compact form (as the compiler
// emits it).
func Of(compact []byte) string {
	sum := sha256.Sum256(compact)
	return Prefix + hex.EncodeToString(sum[:])
}

// Canonical is the hash of a definition in any JSON formatting (as
// SageMaker returns it): the whitespace goes, key order stays. An error
// means def is not JSON.
func Canonical(def []byte) (string, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, def); err != nil {
		return "", err
	}
	return Of(buf.Bytes()), nil
}
