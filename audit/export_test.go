package audit

// ChainHash lets the tests play a forger who knows the hashing scheme and
// re-hashes what they edited.
var ChainHash = chainHash

// FormatAt is the stored form of a time.
var FormatAt = formatAt
