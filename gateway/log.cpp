// Structured logging: one JSON object per line on stderr.
#include "gateway/log.hpp"

#include "translators/common/text.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <unistd.h>

namespace sgw::log {
namespace {

std::atomic<int> g_level{static_cast<int>(level::info)};

std::string_view name(level l) {
    switch (l) {
        case level::debug: return "debug";
        case level::info: return "info";
        case level::warn: return "warn";
        case level::error: return "error";
    }
    return "info";
}

}  // namespace

std::string timestamp(bool micro) {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const auto day = floor<days>(now);
    const year_month_day ymd{day};
    const hh_mm_ss hms{floor<microseconds>(now - day)};
    const auto us = static_cast<int>(hms.subseconds().count());
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%0*dZ", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                  int(hms.seconds().count()), micro ? 6 : 3, micro ? us : us / 1000);
    return buf;
}

void set_level(level l) noexcept { g_level.store(static_cast<int>(l), std::memory_order_relaxed); }

bool enabled(level l) noexcept { return static_cast<int>(l) >= g_level.load(std::memory_order_relaxed); }

bool parse_level(std::string_view text, level& out) noexcept {
    for (level l : {level::debug, level::info, level::warn, level::error})
        if (text == name(l)) {
            out = l;
            return true;
        }
    return false;
}

line::line(level l, std::string_view message) : on_(enabled(l)) {
    if (!on_) return;
    fields_["ts"] = timestamp(false);
    fields_["level"] = name(l);
    fields_["msg"] = message;
}

line& line::put(std::string_view key, boost::json::value value) {
    if (on_) fields_[key] = std::move(value);
    return *this;
}

line& line::text(std::string_view key, std::string_view value) {
    constexpr std::size_t max_text = 1024;
    if (on_) fields_[key] = clean_text(value, max_text);
    return *this;
}

line::~line() {
    if (!on_) return;
    std::string text = boost::json::serialize(fields_);
    text += '\n';
    // One write per line keeps lines from different threads whole.
    std::size_t off = 0;
    while (off < text.size()) {
        auto n = ::write(STDERR_FILENO, text.data() + off, text.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
    }
}

}  // namespace sgw::log
