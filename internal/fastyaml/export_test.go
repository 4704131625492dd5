package fastyaml

// PlainTag is plainTag for the tests.
var PlainTag = plainTag
