// An HTTP/1.1 message as the bytes that go on the wire, in one contiguous piece.
//
// Beast's serializer hands the socket a sequence of many small buffers (one per field, with
// separators), and walking that sequence costs more than the write itself for the short
// messages this gateway sends. Laying the message out once and writing one buffer sends the
// same bytes for a fraction of the work.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace sgw {

/// The status line, the fields in their order and the blank line, then the body unless
/// `with_body` is false (the answer to HEAD, or a caller that writes the body as a second
/// buffer). The fields are written as stored, so the message must be complete (Content-Length
/// set, e.g. by prepare_payload).
std::string to_wire(const boost::beast::http::response<boost::beast::http::string_body>& res, bool with_body = true);

/// The request line, the fields in their order, the blank line and the body.
std::string to_wire(const boost::beast::http::request<boost::beast::http::string_body>& req);

}  // namespace sgw
