// Text that came from outside (a client's query or header, an MRS message) on its way into
// an answer body or a log line: JSON strings must be UTF-8, and neither may grow without bound.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sgw {

/// `in` as valid UTF-8, each byte that does not start a well-formed sequence (RFC 3629: no
/// overlong forms, no surrogates, nothing past U+10FFFF) replaced by U+FFFD, and cut at a
/// character boundary to at most `max_bytes` bytes, "..." marking the cut.
std::string clean_text(std::string_view in, std::size_t max_bytes);

/// Whether `in` is well-formed UTF-8.
bool valid_utf8(std::string_view in) noexcept;

}  // namespace sgw
