// Timestamp conversion from MRS's formats to Sahara's.
#include "translators/common/timefmt.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdio>

namespace sgw::timefmt {
namespace {

// Sahara's format has four digits for the year: 0001-01-01T00:00:00 to 9999-12-31T23:59:59.
constexpr long long earliest = -62'135'596'800LL;
constexpr long long latest = 253'402'300'799LL;

boost::json::value from_epoch_seconds(long long secs) {
    if (secs < earliest || secs > latest) return nullptr;
    using namespace std::chrono;
    const sys_seconds tp{seconds{secs}};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss hms{tp - day};
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                          unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()),
                          int(hms.minutes().count()), int(hms.seconds().count()));
    return boost::json::string(buf, static_cast<std::size_t>(n));
}

bool digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

boost::json::value from_number(long long n) {
    if (n <= 0) return nullptr;
    // Epoch seconds have at most 10 digits until the year 2286; milliseconds have 13.
    if (n >= 100'000'000'000LL) return from_epoch_seconds(n / 1000);
    return from_epoch_seconds(n);
}

}  // namespace

boost::json::value to_sahara(const boost::json::value& v) {
    if (v.is_int64()) return from_number(v.get_int64());
    if (v.is_uint64()) return from_number(static_cast<long long>(v.get_uint64() & 0x7fffffffffffffffULL));
    if (v.is_double()) {
        // Converted only within long long's range (beyond it the conversion is undefined; such
        // a time is past the year 9999 anyway).
        const double d = v.get_double();
        return d > 0 && d < 9.2e18 ? from_number(static_cast<long long>(d)) : boost::json::value(nullptr);
    }
    if (!v.is_string()) return nullptr;
    std::string_view s = v.get_string();
    if (digits(s) && s.size() <= 18) return from_number(std::stoll(std::string(s)));
    auto secs = epoch_seconds(s);
    return secs ? from_epoch_seconds(*secs) : boost::json::value(nullptr);
}

std::optional<long long> epoch_seconds(std::string_view s) {
    // "YYYY-MM-DDTHH:MM:SS", optionally followed by ".fff…" and "Z" or "+hh:mm"/"-hhmm".
    if (s.size() < 19) return std::nullopt;
    static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const char c = s[i];
        const bool ok = shape[i] == 'd' ? (c >= '0' && c <= '9') : (c == shape[i] || (i == 10 && c == ' '));
        if (!ok) return std::nullopt;
    }
    auto num = [&](std::size_t pos, std::size_t len) {
        int n = 0;
        for (std::size_t i = pos; i < pos + len; ++i) n = n * 10 + (s[i] - '0');
        return n;
    };
    using namespace std::chrono;
    const year_month_day ymd{year{num(0, 4)}, month{unsigned(num(5, 2))}, day{unsigned(num(8, 2))}};
    if (!ymd.ok() || num(11, 2) > 23 || num(14, 2) > 59 || num(17, 2) > 60) return std::nullopt;
    long long secs = sys_days{ymd}.time_since_epoch() / seconds{1} + num(11, 2) * 3600LL +
                     num(14, 2) * 60LL + num(17, 2);
    std::string_view rest = s.substr(19);
    if (rest.starts_with('.')) {
        std::size_t i = 1;
        while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
        rest.remove_prefix(i);
    }
    if (rest == "Z" || rest.empty()) return secs;
    if ((rest[0] == '+' || rest[0] == '-') && (rest.size() == 6 || rest.size() == 5)) {
        std::string_view hhmm = rest.substr(1);
        std::string compact;
        for (char c : hhmm)
            if (c != ':') compact += c;
        if (compact.size() != 4 || !digits(compact)) return std::nullopt;
        const long long offset = std::stoll(compact.substr(0, 2)) * 3600 + std::stoll(compact.substr(2)) * 60;
        return rest[0] == '+' ? secs - offset : secs + offset;
    }
    return std::nullopt;
}

}  // namespace sgw::timefmt
