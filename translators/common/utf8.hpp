// Text that goes into a JSON answer must be UTF-8 (RFC 8259 §8.1); bytes from a client or
// from MRS need not be.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sgw::translators {

/// `in` with each byte that does not begin a well-formed UTF-8 sequence (stray continuation
/// bytes, truncated or overlong sequences, surrogates, code points past U+10FFFF) replaced by
/// U+FFFD. Stops before the first sequence that starts at or past `limit` output bytes.
std::string valid_utf8(std::string_view in, std::size_t limit = std::string_view::npos);

}  // namespace sgw::translators
