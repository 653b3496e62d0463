// Making text valid UTF-8.
#include "translators/common/utf8.hpp"

#include <algorithm>

namespace sgw::translators {

std::string valid_utf8(std::string_view in, std::size_t limit) {
    std::string out;
    out.reserve(std::min(in.size(), limit));
    std::size_t i = 0;
    while (i < in.size() && out.size() < limit) {
        const auto c = static_cast<unsigned char>(in[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len != 0 && i + len <= in.size();
        for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(in[i + k]) & 0xC0) == 0x80;
        if (ok && len > 1) {  // no overlong forms, surrogates or code points past U+10FFFF
            const auto c1 = static_cast<unsigned char>(in[i + 1]);
            ok = !(c == 0xC0 || c == 0xC1 || (c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) ||
                   (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90) || c > 0xF4);
        }
        if (ok) {
            out.append(in.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

}  // namespace sgw::translators
