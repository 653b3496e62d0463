// Request ids in the form OpenStack uses: "req-<uuid4>".
#include "gateway/request_id.hpp"

#include <cstdint>
#include <random>

namespace sgw {
namespace {

// xoshiro256** (public domain algorithm by Blackman and Vigna), seeded per thread.
struct rng {
    std::uint64_t s[4];
    rng() {
        std::random_device rd;
        for (auto& w : s) w = (std::uint64_t(rd()) << 32) ^ rd();
    }
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
        const std::uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
    }
};

}  // namespace

std::string make_request_id() {
    thread_local rng gen;
    std::uint64_t hi = gen.next(), lo = gen.next();
    hi = (hi & ~0xF000ULL) | 0x4000ULL;                     // version 4
    lo = (lo & ~(0xC000ULL << 48)) | (0x8000ULL << 48);     // RFC 4122 variant
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "req-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    int bit = 124;
    for (std::size_t i = 4; i < out.size(); ++i) {
        if (out[i] == '-') continue;
        const std::uint64_t word = bit >= 64 ? hi : lo;
        const int shift = bit >= 64 ? bit - 64 : bit;
        out[i] = hex[(word >> shift) & 0xF];
        bit -= 4;
    }
    return out;
}

bool valid_request_id(std::string_view id) noexcept {
    static constexpr std::string_view shape = "req-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (id.size() != shape.size() || !id.starts_with("req-")) return false;
    for (std::size_t i = 4; i < id.size(); ++i) {
        const char c = id[i];
        if (shape[i] == '-') {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

}  // namespace sgw
