//go:build !unix

package workspace

// nonBlock is not needed where named pipes do not appear in directories.
const nonBlock = 0
