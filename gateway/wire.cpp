// An HTTP/1.1 message as the bytes that go on the wire.
#include "gateway/wire.hpp"

namespace sgw {
namespace http = boost::beast::http;

namespace {

template <bool isRequest>
std::size_t fields_size(const http::header<isRequest>& h) {
    std::size_t n = 2;  // the blank line
    for (const auto& f : h) n += f.name_string().size() + f.value().size() + 4;  // ": " and CRLF
    return n;
}

template <bool isRequest>
void append_fields(std::string& out, const http::header<isRequest>& h) {
    for (const auto& f : h) {
        out += f.name_string();
        out += ": ";
        out += f.value();
        out += "\r\n";
    }
    out += "\r\n";
}

void append_version(std::string& out, unsigned version) {
    out += "HTTP/";
    out += static_cast<char>('0' + version / 10 % 10);
    out += '.';
    out += static_cast<char>('0' + version % 10);
}

}  // namespace

std::string to_wire(const http::response<http::string_body>& res, bool with_body) {
    const auto reason = res.reason();  // the standard phrase unless one was set
    const auto& body = res.body();
    std::string out;
    out.reserve(17 + reason.size() + fields_size(res.base()) + (with_body ? body.size() : 0));
    append_version(out, res.version());
    char code[4] = {};
    const unsigned status = res.result_int() % 1000;
    code[0] = static_cast<char>('0' + status / 100);
    code[1] = static_cast<char>('0' + status / 10 % 10);
    code[2] = static_cast<char>('0' + status % 10);
    out += ' ';
    out.append(code, 3);
    out += ' ';
    out += reason;
    out += "\r\n";
    append_fields(out, res.base());
    if (with_body) out += body;
    return out;
}

std::string to_wire(const http::request<http::string_body>& req) {
    const auto method = req.method_string();
    const auto target = req.target();
    const auto& body = req.body();
    std::string out;
    out.reserve(method.size() + target.size() + 12 + fields_size(req.base()) + body.size());
    out += method;
    out += ' ';
    out += target;
    out += ' ';
    append_version(out, req.version());
    out += "\r\n";
    append_fields(out, req.base());
    out += body;
    return out;
}

}  // namespace sgw
