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

/// Whether `a` and `b` are equal but for the case of ASCII letters (header names, Sahara's
/// status and boolean filter values).
bool iequals_ascii(std::string_view a, std::string_view b) noexcept;

/// Whether `in` is well-formed UTF-8.
bool valid_utf8(std::string_view in) noexcept;

/// `bytes` percent-encoded for a URL path segment or query value: RFC 3986's unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) as they are, every other byte as `%XX`, upper-case hex.
/// AK/SK signing encodes with exactly this set (mrs-api.md §6.2).
std::string percent_encode(std::string_view bytes);

}  // namespace sgw
