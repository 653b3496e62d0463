// The circuit breaker of one upstream endpoint.
#include "gateway/upstream/breaker.hpp"

#include <algorithm>

namespace sgw::upstream {

bool breaker::allow(clock::time_point now) noexcept {
    switch (state_) {
        case state::closed: return true;
        case state::open:
            if (now < open_until_) return false;
            state_ = state::half_open;
            probing_ = true;
            return true;
        case state::half_open:
            if (probing_) return false;
            probing_ = true;  // the last probe was abandoned: this call takes its turn
            return true;
    }
    return true;
}

void breaker::open(clock::time_point now) noexcept {
    state_ = state::open;
    open_until_ = now + s_.open_time;
    probing_ = false;
    run_ = 0;
    window_.clear();
    ++opened_;
}

void breaker::record(bool failed, clock::time_point now) noexcept {
    if (state_ == state::half_open) {
        if (failed) {
            open(now);
        } else {
            state_ = state::closed;
            probing_ = false;
            run_ = 0;
            window_.clear();
        }
        return;
    }
    if (state_ == state::open) return;  // a call allowed before it opened: already counted in
    window_.add(now, 1, failed ? 1 : 0);
    run_ = failed ? run_ + 1 : 0;
    if (s_.consecutive_failures && run_ >= s_.consecutive_failures) return open(now);
    if (!failed || s_.failure_percent == 0) return;
    const auto calls = window_.first(now);
    if (calls >= std::max<std::size_t>(s_.min_calls, 1) && window_.second(now) * 100 >= calls * s_.failure_percent)
        open(now);
}

void breaker::abandon() noexcept {
    if (state_ == state::half_open) probing_ = false;
}

std::chrono::seconds breaker::retry_after(clock::time_point now) const noexcept {
    if (state_ == state::closed) return std::chrono::seconds(0);
    const auto left = std::chrono::ceil<std::chrono::seconds>(open_until_ - now);
    return std::max(left, std::chrono::seconds(1));
}

}  // namespace sgw::upstream
