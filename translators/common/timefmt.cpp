// Timestamp conversion from MRS's formats to Sahara's.
#include "translators/common/timefmt.hpp"

#include <boost/json.hpp>

#include <chrono>

namespace sgw::timefmt {
namespace {

// Sahara's format has four digits for the year: 0001-01-01T00:00:00 to 9999-12-31T23:59:59.
constexpr long long earliest = -62'135'596'800LL;
constexpr long long latest = 253'402'300'799LL;

boost::json::value from_epoch_seconds(long long secs, const boost::json::storage_ptr& sp) {
    if (secs < earliest || secs > latest) return nullptr;
    using namespace std::chrono;
    const sys_seconds tp{seconds{secs}};
    const auto day = floor<days>(tp);
    const year_month_day ymd{day};
    const hh_mm_ss hms{tp - day};
    // YYYY-MM-DDTHH:MM:SS, laid out digit by digit (printf's parsing of its format costs
    // more than the rest of a show's rendering).
    char buf[19];
    const auto put = [&buf](std::size_t at, unsigned value, std::size_t width) {
        for (std::size_t i = width; i-- > 0; value /= 10) buf[at + i] = static_cast<char>('0' + value % 10);
    };
    put(0, static_cast<unsigned>(int(ymd.year())), 4);
    buf[4] = '-';
    put(5, unsigned(ymd.month()), 2);
    buf[7] = '-';
    put(8, unsigned(ymd.day()), 2);
    buf[10] = 'T';
    put(11, static_cast<unsigned>(hms.hours().count()), 2);
    buf[13] = ':';
    put(14, static_cast<unsigned>(hms.minutes().count()), 2);
    buf[16] = ':';
    put(17, static_cast<unsigned>(hms.seconds().count()), 2);
    return boost::json::string(buf, sizeof buf, sp);
}

bool digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

boost::json::value from_number(long long n, const boost::json::storage_ptr& sp) {
    if (n <= 0) return nullptr;
    // Epoch seconds have at most 10 digits until the year 2286; milliseconds have 13.
    if (n >= 100'000'000'000LL) return from_epoch_seconds(n / 1000, sp);
    return from_epoch_seconds(n, sp);
}

}  // namespace

boost::json::value to_sahara(const boost::json::value& v, boost::json::storage_ptr sp) {
    if (v.is_int64()) return from_number(v.get_int64(), sp);
    if (v.is_uint64()) return from_number(static_cast<long long>(v.get_uint64() & 0x7fffffffffffffffULL), sp);
    if (v.is_double()) {
        // Converted only within long long's range (beyond it the conversion is undefined; such
        // a time is past the year 9999 anyway).
        const double d = v.get_double();
        return d > 0 && d < 9.2e18 ? from_number(static_cast<long long>(d), sp) : boost::json::value(nullptr);
    }
    if (!v.is_string()) return nullptr;
    std::string_view s = v.get_string();
    if (digits(s) && s.size() <= 18) return from_number(std::stoll(std::string(s)), sp);
    auto secs = epoch_seconds(s);
    return secs ? from_epoch_seconds(*secs, sp) : boost::json::value(nullptr);
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
