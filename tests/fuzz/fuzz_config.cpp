// The configuration file reader: the input is the text of a TOML file, applied to the
// defaults and then validated, as --config does.
//
// Checks: neither step throws; no error message is empty; a file that raised no error
// leaves every timeout and limit within the ranges the option table allows.
#include "fuzz_support.hpp"

#include "gateway/config.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

using namespace sgw;

namespace {

void check_ranges(const config& c, std::string_view text) {
    auto ms = [&](millis m, std::string_view key) {
        if (m.count() < 1 || m.count() > 86'400'000) fuzz::fail(std::string(key) + " out of range", text);
    };
    ms(c.listen.idle_timeout, "server.idle_timeout_ms");
    ms(c.listen.read_timeout, "server.read_timeout_ms");
    ms(c.listen.write_timeout, "server.write_timeout_ms");
    ms(c.listen.drain_timeout, "server.drain_timeout_ms");
    ms(c.identity.cache_ttl, "identity.cache_ttl_ms");
    ms(c.upstream.connect_timeout, "upstream.connect_timeout_ms");
    ms(c.upstream.request_timeout, "upstream.request_timeout_ms");
    ms(c.upstream.idle_timeout, "upstream.idle_timeout_ms");
    ms(c.upstream.max_connection_age, "upstream.max_connection_age_ms");
    if (c.listen.threads > 256) fuzz::fail("threads out of range", text);
    if (c.listen.header_limit < 512) fuzz::fail("server.header_limit below 512", text);
    if (c.identity.max_cached < 1 || c.upstream.max_requests_per_connection < 1 || c.upstream.max_parallel < 1 ||
        c.upstream.body_limit < 1024)
        fuzz::fail("a count below its minimum", text);
    if (c.log.level != "debug" && c.log.level != "info" && c.log.level != "warn" && c.log.level != "error")
        fuzz::fail("log.level not a level", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    config cfg;
    std::vector<std::string> errors;
    try {
        apply_toml(cfg, text, "fuzz.toml", errors);
        if (errors.empty()) check_ranges(cfg, text);
        validate(cfg, errors);
    } catch (const std::exception& e) {
        fuzz::fail(std::string("the configuration reader threw: ") + e.what(), text);
    }
    for (const auto& e : errors)
        if (e.empty()) fuzz::fail("an empty error message", text);
    return 0;
}
